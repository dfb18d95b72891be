"""`make bench`: build the dataset, serve with gunicorn, drive load, print and save the figures.

Settings (environment): BENCH_DATABASE_URL (a PostgreSQL server to create ``waypoint_bench``
on), BENCH_CLIENTS (8), BENCH_WARMUP (2 s), BENCH_DURATION (10 s per target),
BENCH_WORKER_CLASS (gthread) and BENCH_THREADS (4).
"""

import importlib.util
import json
import os
import random
import runpy
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from bench import dataset, report
from bench.server import PROJECT_ROOT, Server

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _settings() -> dict:
    return {
        "clients": int(os.environ.get("BENCH_CLIENTS", "8")),
        "warmup": float(os.environ.get("BENCH_WARMUP", "2")),
        "duration": float(os.environ.get("BENCH_DURATION", "10")),
        # gthread: keep-alive connections, and a worker's threads overlap their database waits.
        "worker_class": os.environ.get("BENCH_WORKER_CLASS", "gthread"),
        "threads": int(os.environ.get("BENCH_THREADS", "4")),
        "workers": 2,
    }


def _database(workdir: Path) -> tuple[str, str]:
    base = os.environ.get("BENCH_DATABASE_URL", dataset.DEFAULT_BASE_URL)
    if base.startswith("postgresql") and dataset.postgres_reachable(base):
        return dataset.recreate_postgres_database(base), "PostgreSQL"
    note = f"PostgreSQL at {base.split('@')[-1]} is not reachable: falling back to SQLite"
    print(f"NOTE: {note} (figures are not comparable with the targets)", file=sys.stderr)
    return f"sqlite:///{workdir / 'bench.db'}", "SQLite (fallback)"


def _plan(data: dataset.Dataset, settings: dict, app_url: str, floor_url: str) -> dict:
    rng = random.Random(7)
    pages = (1, 2, 3)
    session_ids = rng.sample(data.session_ids, min(2_000, len(data.session_ids)))
    return {
        "clients": settings["clients"],
        "warmup": settings["warmup"],
        "duration": settings["duration"],
        "targets": [
            {"name": "floor", "kind": "get", "base_url": floor_url, "paths": ["/floor"]},
            {
                "name": "catalogue",
                "kind": "get",
                "base_url": app_url,
                "paths": [f"/sessions?page={page}" for page in pages],
            },
            {
                "name": "catalogue_area",
                "kind": "get",
                "base_url": app_url,
                "paths": [
                    f"/sessions?area={slug}&page={page}"
                    for slug in data.area_slugs
                    for page in pages
                ],
            },
            {
                "name": "session_page",
                "kind": "get",
                "base_url": app_url,
                "paths": [f"/sessions/{sid}" for sid in session_ids],
            },
            {
                "name": "book",
                "kind": "book",
                "base_url": app_url,
                "session_ids": data.booking_target_ids,
                # Two more people than places try each session, several at once.
                "attempts_per_session": data.target_places_left + 2,
                "emails": data.login_emails,
                "password": data.password,
            },
        ],
    }


def main() -> int:
    settings = _settings()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="waypoint-bench-") as tmp:
        workdir = Path(tmp)
        url, database = _database(workdir)
        print(f"Database: {database} ({dataset.BENCH_DATABASE if 'postgres' in url else url})")
        dataset.migrate(url)
        data = dataset.build(url)
        print(f"Dataset built in {data.seconds:.1f}s: {data.counts}")

        env = {
            "WAYPOINT_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "BENCH_COUNT_QUERIES": "1",
            # Every client signs in from 127.0.0.1: lift the per-address sign-in limit (the
            # limiter itself stays on, so its cost is measured).
            "LOGIN_RATE_LIMIT": "100000 per minute",
        }
        server_options = dict(
            workers=settings["workers"],
            worker_class=settings["worker_class"],
            threads=settings["threads"],
        )
        with (
            Server("wsgi:app", env, log_path=workdir / "app.log", **server_options) as app,
            Server(
                "bench.floor_app:app",
                env,
                log_path=workdir / "floor.log",
                ready_path="/floor",
                **server_options,
            ) as floor,
        ):
            plan = _plan(data, settings, app.base_url, floor.base_url)
            print(
                f"Load: {settings['clients']} clients, {settings['warmup']:.0f}s warm-up + "
                f"{settings['duration']:.0f}s per target; gunicorn {settings['workers']} "
                f"{settings['worker_class']} workers",
                file=sys.stderr,
            )
            completed = subprocess.run(
                [sys.executable, "-m", "bench.load"],
                input=json.dumps(plan),
                capture_output=True,
                text=True,
                cwd=PROJECT_ROOT,
                timeout=600,
            )
            sys.stderr.write(completed.stderr)
            if completed.returncode != 0:
                print("The load generator failed.", file=sys.stderr)
                return 1
            measured = json.loads(completed.stdout)

        engine = create_engine(url)
        try:
            oversold = report.oversold_sessions(engine)
        finally:
            engine.dispose()

    results = report.build(measured, oversold, data, settings, database)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    print(report.table(results))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"Figures written to {RESULTS.relative_to(PROJECT_ROOT)}")

    if importlib.util.find_spec("bench.allocation") is not None:
        print("\nTrainer allocation benchmark (bench/allocation.py):")
        runpy.run_module("bench.allocation", run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
