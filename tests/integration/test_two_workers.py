"""Two worker processes on one queue and one database: a job never runs in both at once.

Each worker is a real ``flask worker`` process, as deployed. The queue is a SQLite file, and a
Redis database too when Redis answers (the production shape).
"""

import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import redis
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import select

from booking.database import unit_of_work
from booking.jobs import worker
from booking.models import AllocationRun, ProposedAssignment, Role, utcnow
from booking.services.trainers.allocation import runs
from tests import factories
from tests.trainer_factories import trainer_profile

PROJECT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = "redis://127.0.0.1:6379/4"
LINE = re.compile(r"^(\S+ \S+) booking\.jobs\.worker INFO send-notifications: (started|done)")


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, tmp_path, app):
    """Where the workers and this test share the queue; the test enqueues into it directly."""
    if request.param == "redis":
        if not _redis_answers():
            pytest.skip("Redis does not answer on 127.0.0.1:6379")
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
        env = {"REDIS_URL": REDIS_TEST_URL}
        storage = RedisStorage(worker.QUEUE_NAME, url=REDIS_TEST_URL)
    else:
        path = tmp_path / "queue.db"
        env = {"WORKER_QUEUE_FILE": str(path), "REDIS_URL": ""}
        storage = SqliteStorage(worker.QUEUE_NAME, filename=str(path))
    worker.huey.immediate = False
    worker.huey.storage = storage
    yield env
    worker.configure_queue(app)


@pytest.fixture
def two_workers(database_url, queue, tmp_path):
    env = {
        **os.environ,
        **queue,
        "WAYPOINT_ENV": "development",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT),
        "NOTIFICATIONS_EVERY_SECONDS": "1",
        "SEND_NOTIFICATIONS_AFTER_REQUEST": "0",
        "TASKS_RUN_IMMEDIATELY": "0",
    }
    logs, processes = [], []
    for number in (1, 2):
        log = tmp_path / f"worker{number}.log"
        logs.append(log)
        with log.open("w") as output:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--threads", "1"],
                    cwd=PROJECT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        _wait_for(lambda: all("Worker started" in log.read_text() for log in logs), 90)
        yield logs
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the workers")
        time.sleep(0.2)


def _runs(log: Path) -> list[tuple[datetime, datetime]]:
    """(started, done) of each notifications run in one worker's log; a run still going at
    the end of the log lasts for ever."""
    runs, started = [], None
    for line in log.read_text().splitlines():
        match = LINE.match(line)
        if not match:
            continue
        moment = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f")
        if match[2] == "started":
            started = moment
        elif started is not None:
            runs.append((started, moment))
            started = None
    if started is not None:
        runs.append((started, datetime.max))
    return runs


@pytest.mark.database
def test_two_workers_never_run_the_same_job_at_once(two_workers):
    first, second = two_workers
    # Besides the notifications job each worker's timetable starts as it starts, two more
    # deliveries of it at the same moment: at most one of all these may run at a time.
    worker.deliver_notifications(4)
    worker.deliver_notifications(4)

    def handled(text: str) -> int:
        return text.count("send-notifications: done") + text.count(
            "send-notifications: already running elsewhere; skipped"
        )

    _wait_for(lambda: handled(first.read_text() + second.read_text()) >= 3, 60)
    text = first.read_text() + second.read_text()
    assert "send-notifications: already running elsewhere; skipped" in text
    runs = sorted(_runs(first) + _runs(second))
    assert runs
    for (_, ended), (next_started, _) in zip(runs, runs[1:], strict=False):
        assert next_started >= ended, "two workers ran the notifications job at the same time"


@pytest.mark.database
def test_an_allocation_queued_twice_is_solved_once_by_two_workers(two_workers, db):
    course = factories.course_type()
    area = factories.force()
    factories.course_session(course_type_row=course, venue_row=factories.venue(area))

    trainer_profile(course_types=[course], forces=[area])
    db.session.commit()
    admin = factories.user(Role.ADMIN)
    db.session.commit()
    today = utcnow().date()
    with unit_of_work():
        run_id = runs.queue_run(
            today, today.replace(year=today.year + 1), by=admin, now=utcnow()
        ).id
    worker.run_allocation(run_id)
    worker.run_allocation(run_id)

    def finished() -> bool:
        db.session.rollback()
        return db.session.get(AllocationRun, run_id).status.value == "proposed"

    _wait_for(finished, 60)
    time.sleep(1)  # give the second delivery time to find the run already done
    db.session.rollback()
    assert len(db.session.scalars(select(ProposedAssignment)).all()) == 1
