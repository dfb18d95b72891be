"""`make bench`: build the dataset, serve with gunicorn, drive load, print and save the figures.

Every GET target and the floor are driven by wrk in the same run, against servers started with
the same gunicorn settings; booking keeps its own driver (bench/load.py). Each run's figures go
to ``bench/results/<UTC time>.json`` and ``.md``.

Settings (environment): BENCH_DATABASE_URL (a PostgreSQL server to create ``waypoint_bench``
on), BENCH_CLIENTS (8 connections), BENCH_WARMUP (2 s), BENCH_DURATION (10 s per target),
BENCH_WORKER_CLASS (sync), BENCH_THREADS (1 per worker), BENCH_WRK_THREADS (2),
BENCH_PAGE_CACHE_URL (empty: each worker keeps its own page cache; or a Redis URL) and
BENCH_TARGETS (a comma-separated subset of floor, home, catalogue, catalogue_area,
session_page, catalogue_allocating, book, dashboard, staff_search — for quick checks; verdicts
need them all).

``dashboard`` and ``staff_search`` are driven signed in as staff, on the bench data and on a
tiny dataset (``waypoint_bench_tiny``) served the same way, with CPU per request (the app's
processes and the database's backends, bench/cpu.py) beside req/s.

``catalogue_allocating`` measures the catalogue again while a trainer allocation run is being
solved by a worker process (bench/allocating.py), to set beside the quiet catalogue's figures.
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

from bench import allocating, cpu, dataset, load, report, wrk
from bench.server import PROJECT_ROOT, Server

RESULTS = Path(__file__).resolve().parent / "results"
ALL_TARGETS = (
    "floor",
    "home",
    "catalogue",
    "catalogue_area",
    "session_page",
    "catalogue_allocating",
    "book",
    "dashboard",
    "staff_search",
)
# Staff pages, measured on the bench data and on the tiny dataset, signed in as staff, with
# CPU per request (app and database): their cost must not grow with the database.
STAFF_TARGETS = ("dashboard", "staff_search")
TINY_DATABASE = "waypoint_bench_tiny"


def _settings() -> dict:
    return {
        "clients": int(os.environ.get("BENCH_CLIENTS", "8")),
        "warmup": float(os.environ.get("BENCH_WARMUP", "2")),
        "duration": float(os.environ.get("BENCH_DURATION", "10")),
        # The settings the targets were set with: 2 sync workers, for the floor and the app alike.
        "worker_class": os.environ.get("BENCH_WORKER_CLASS", "sync"),
        "threads": int(os.environ.get("BENCH_THREADS", "1")),
        "workers": 2,
        "wrk_threads": int(os.environ.get("BENCH_WRK_THREADS", "2")),
        "page_cache_url": os.environ.get("BENCH_PAGE_CACHE_URL", ""),
        "targets": [
            name.strip()
            for name in os.environ.get("BENCH_TARGETS", ",".join(ALL_TARGETS)).split(",")
            if name.strip() in ALL_TARGETS
        ],
    }


def _database(workdir: Path) -> tuple[str, str]:
    base = os.environ.get("BENCH_DATABASE_URL", dataset.DEFAULT_BASE_URL)
    if base.startswith("postgresql") and dataset.postgres_reachable(base):
        return dataset.recreate_postgres_database(base), "PostgreSQL"
    note = f"PostgreSQL at {base.split('@')[-1]} is not reachable: falling back to SQLite"
    print(f"NOTE: {note} (figures are not comparable with the targets)", file=sys.stderr)
    return f"sqlite:///{workdir / 'bench.db'}", "SQLite (fallback)"


def _tiny_database(url: str, workdir: Path) -> str:
    """A second database beside the bench's, migrated, for the tiny dataset."""
    if url.startswith("postgresql"):
        base = os.environ.get("BENCH_DATABASE_URL", dataset.DEFAULT_BASE_URL)
        tiny = dataset.recreate_postgres_database(base, name=TINY_DATABASE)
    else:
        tiny = f"sqlite:///{workdir / 'tiny.db'}"
    dataset.migrate(tiny)
    return tiny


def _get_targets(data: dataset.Dataset, app_url: str, floor_url: str) -> dict[str, tuple]:
    """Each GET target: the server it runs on and the paths wrk picks from at random."""
    rng = random.Random(7)
    pages = (1, 2, 3)
    session_ids = rng.sample(data.session_ids, min(2_000, len(data.session_ids)))
    return {
        "floor": (floor_url, ["/floor"]),
        "home": (app_url, ["/"]),
        "catalogue": (app_url, [f"/sessions?page={page}" for page in pages]),
        "catalogue_area": (
            app_url,
            [f"/sessions?area={slug}&page={page}" for slug in data.area_slugs for page in pages],
        ),
        "session_page": (app_url, [f"/sessions/{sid}" for sid in session_ids]),
    }


def _staff_paths(data: dataset.Dataset) -> dict[str, list[str]]:
    names = [term for term in data.search_terms if not term.startswith("BN")]
    references = [term for term in data.search_terms if term.startswith("BN")]
    return {
        "dashboard": ["/admin/"],
        "staff_search": [f"/admin/people/?q={name}" for name in names]
        + [f"/admin/people/?q={reference}" for reference in references]
        + [f"/admin/money/bookings?reference={reference}" for reference in references],
    }


def _measure_staff(settings: dict, servers: dict, url_of: dict, data_of: dict) -> dict:
    """Each staff target on the bench data and on the tiny data (``<name>_tiny``)."""
    measured = {}
    for suffix in ("", "_tiny"):
        server, data = servers[suffix], data_of[suffix]
        cookie = load.sign_in_cookie(server.base_url, dataset.STAFF_EMAIL, data.password)
        paths = _staff_paths(data)
        for name in STAFF_TARGETS:
            if name not in settings["targets"]:
                continue
            meter = cpu.Meter(server.process.pid, url_of[suffix])
            row = wrk.measure_with(
                settings, server.base_url, paths[name], meter=meter, cookie=cookie
            )
            print(
                f"  measured {name}{suffix}: {row['requests_per_second']:.0f}/s, "
                f"CPU {report.number(row['cpu_ms_per_request'], '.1f')} ms/req",
                file=sys.stderr,
                flush=True,
            )
            measured[name + suffix] = row
    return measured


def _book_plan(data: dataset.Dataset, settings: dict, app_url: str) -> dict:
    return {
        "clients": settings["clients"],
        "warmup": settings["warmup"],
        "duration": settings["duration"],
        "targets": [
            {
                "name": "book",
                "kind": "book",
                "base_url": app_url,
                "session_ids": data.booking_target_ids,
                # Two more people than places try each session, several at once.
                "attempts_per_session": data.target_places_left + 2,
                "emails": data.login_emails,
                "password": data.password,
            }
        ],
    }


def _measure_gets(settings: dict, targets: dict[str, tuple]) -> dict:
    def one(name: str) -> dict:
        base_url, paths = targets[name]
        row = wrk.measure_with(settings, base_url, paths)
        print(
            f"  measured {name}: {row['requests_per_second']:.0f}/s, p95 {row['p95_ms']:.1f} ms",
            file=sys.stderr,
            flush=True,
        )
        return row

    measured = {name: one(name) for name in targets if name in settings["targets"]}
    if "floor" in measured and len(measured) > 1:
        # On a shared machine the load changes during a run: the floor is measured again after
        # the pages, and the faster of the two is the one ratios are taken to (never flattering).
        again = one("floor")
        first = measured["floor"]
        best = max(first, again, key=lambda row: row["requests_per_second"])
        measured["floor"] = {
            **best,
            "runs_requests_per_second": [
                first["requests_per_second"],
                again["requests_per_second"],
            ],
        }
    return measured


def _measure_booking(data: dataset.Dataset, settings: dict, app_url: str) -> dict | None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        input=json.dumps(_book_plan(data, settings, app_url)),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=600,
    )
    sys.stderr.write(completed.stderr)
    if completed.returncode != 0:
        print("The booking driver failed.", file=sys.stderr)
        return None
    return json.loads(completed.stdout)


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
        staff = any(name in settings["targets"] for name in STAFF_TARGETS)
        tiny_url = _tiny_database(url, workdir) if staff else ""
        tiny = dataset.build(tiny_url, dataset.TINY, quiet=True) if staff else None

        env = {
            "WAYPOINT_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "BENCH_COUNT_QUERIES": "1",
            # Every client signs in from 127.0.0.1: lift the per-address sign-in limit (the
            # limiter itself stays on, so its cost is measured).
            "LOGIN_RATE_LIMIT": "100000 per minute",
            # Where the anonymous page cache lives: each worker's memory unless a Redis is named.
            "PAGE_CACHE_URL": settings["page_cache_url"],
            # The allocation run's queue and the solver's time limit (bench/allocating.py).
            **allocating.worker_settings(workdir, settings["warmup"] + settings["duration"]),
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
            Server(
                "wsgi:app",
                {**env, "DATABASE_URL": tiny_url or url},
                log_path=workdir / "tiny.log",
                **server_options,
            ) as app_tiny,
        ):
            wrk.ensure_wrk()
            print(
                f"Load: {settings['clients']} clients, {settings['warmup']:.0f}s warm-up + "
                f"{settings['duration']:.0f}s per target; gunicorn {settings['workers']} "
                f"{settings['worker_class']} workers; GET targets by wrk",
                file=sys.stderr,
            )
            targets = _get_targets(data, app.base_url, floor.base_url)
            measured = _measure_gets(settings, targets)
            if "catalogue_allocating" in settings["targets"]:
                measured["catalogue_allocating"] = allocating.measure(
                    settings, url, env, workdir, app.base_url, targets["catalogue"][1]
                )
            if staff and tiny is not None:
                measured.update(
                    _measure_staff(
                        settings,
                        {"": app, "_tiny": app_tiny},
                        {"": url, "_tiny": tiny_url},
                        {"": data, "_tiny": tiny},
                    )
                )
            if "book" in settings["targets"]:
                booking = _measure_booking(data, settings, app.base_url)
                if booking is None:
                    return 1
                measured.update(booking)

        engine = create_engine(url)
        try:
            oversold = report.oversold_sessions(engine)
        finally:
            engine.dispose()

    if set(settings["targets"]) != set(ALL_TARGETS):
        # A quick check of some targets: figures only, no verdicts and nothing saved.
        print(report.partial_table(measured))
        return 0
    results = report.build(measured, oversold, data, settings, database)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    print(report.table(results))
    RESULTS.mkdir(exist_ok=True)
    stamp = results["when"].replace(":", "").replace("+0000", "Z")
    for suffix, text in (
        ("json", json.dumps(results, indent=2) + "\n"),
        ("md", report.markdown(results)),
    ):
        path = RESULTS / f"{stamp}.{suffix}"
        path.write_text(text)
        print(f"Figures written to {path.relative_to(PROJECT_ROOT)}")

    if importlib.util.find_spec("bench.allocation") is not None:
        print("\nTrainer allocation benchmark (bench/allocation.py):")
        runpy.run_module("bench.allocation", run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
