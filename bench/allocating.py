"""The catalogue while a trainer allocation run is being solved.

Staff start a run from a page that only queues it; a worker process solves it with CP-SAT off
the web requests. The bench does the same: it starts the worker (``flask --app wsgi worker``),
queues a run as the staff page does (``queue_run`` then ``worker.run_allocation``), waits until
the worker has taken it, and drives the catalogue with wrk while it solves. The worker's time
limit is set so the solve outlasts the measurement; the figures record whether it did.

``python -m bench.allocating queue`` (run with the servers' environment) queues one run and
prints its id.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench import wrk
from bench.server import PROJECT_ROOT, stop
from booking.models import AllocationRun, RunStatus

# Six weeks of the dataset's sessions (about 2,300), much what the allocation benchmark solves.
RUN_DAYS = 42
# The worker may take this long to start and pick the run up.
PICK_UP_SECONDS = 60.0
# After the measurement, how long to wait for the run's outcome (it is only recorded).
FINISH_SECONDS = 120.0


class Worker:
    """The queue's worker process, stopped (politely, then not) afterwards."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Worker":
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--threads", "1"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def __exit__(self, *exc_info) -> None:
        stop(self.process)
        self._log.close()


def worker_settings(workdir: Path, seconds: float) -> dict[str, str]:
    """What the enqueuer and the worker share: the queue's file, and a solver time limit that
    outlasts ``seconds`` of measuring."""
    return {
        "WORKER_QUEUE_FILE": str(workdir / "queue.db"),
        "ALLOCATION_TIME_LIMIT": str(int(seconds + 15)),
    }


def queue_run(env: dict[str, str]) -> int:
    """Queue a run in a process with the servers' settings, as the staff page would."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.allocating", "queue"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"could not queue an allocation run:\n{completed.stderr}")
    return int(completed.stdout.strip().splitlines()[-1])


def run_state(url: str, run_id: int) -> dict:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            run = session.get(AllocationRun, run_id)
            if run is None:
                raise RuntimeError(f"allocation run {run_id} is missing")
            return {
                "status": run.status.value,
                "solve_ms": run.solve_seconds,
                "sessions_considered": run.sessions_considered,
                "progress": run.progress,
            }
    finally:
        engine.dispose()


def _wait_for(url: str, run_id: int, statuses: set[str], seconds: float, worker: Worker) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        state = run_state(url, run_id)
        if state["status"] in statuses or time.monotonic() > deadline:
            return state
        if worker.process is not None and worker.process.poll() is not None:
            raise RuntimeError(f"the worker stopped; see {worker.log_path}")
        time.sleep(0.2)


def measure(
    settings: dict, url: str, env: dict[str, str], workdir: Path, base_url: str, paths: list[str]
) -> dict:
    """wrk on ``paths`` while an allocation run is being solved; the run's states with it."""
    with Worker(env, workdir / "worker.log") as worker:
        run_id = queue_run(env)
        picked = _wait_for(url, run_id, {"running", "failed"}, PICK_UP_SECONDS, worker)
        if picked["status"] != RunStatus.RUNNING.value:
            raise RuntimeError(f"the worker did not take run {run_id}: {picked}")
        started = time.monotonic()
        row = wrk.measure_with(settings, base_url, paths)
        at_end = run_state(url, run_id)
        measured_seconds = time.monotonic() - started
        final = _wait_for(url, run_id, {"proposed", "failed"}, FINISH_SECONDS, worker)
    row["allocation"] = {
        "run_id": run_id,
        "days": RUN_DAYS,
        "status_after_measurement": at_end["status"],
        # True when the run was being solved for the whole of the warm-up and measurement.
        "during_run": at_end["status"] == RunStatus.RUNNING.value,
        "measured_seconds": round(measured_seconds, 1),
        "final_status": final["status"],
        "solve_seconds": final["solve_ms"] / 1000,
        "sessions_considered": final["sessions_considered"],
    }
    print(
        f"  measured catalogue during allocation run {run_id}: "
        f"{row['requests_per_second']:.0f}/s, p95 {row['p95_ms']:.1f} ms; run "
        f"{at_end['status']} at the end, then {final['status']}",
        file=sys.stderr,
        flush=True,
    )
    return row


def _queue_from_here() -> int:
    from booking import create_app, worker
    from booking.database import unit_of_work
    from booking.models import utcnow
    from booking.services.clock import in_london
    from booking.services.trainers.allocation import runs

    app = create_app()
    with app.app_context():
        first = in_london(utcnow()).date() + timedelta(days=1)
        with unit_of_work():
            run_id = runs.queue_run(
                first, first + timedelta(days=RUN_DAYS - 1), by=None, now=utcnow()
            ).id
        worker.run_allocation(run_id)
    return run_id


if __name__ == "__main__":
    if sys.argv[1:] != ["queue"]:
        sys.exit("usage: python -m bench.allocating queue")
    print(_queue_from_here())
