"""The worker: scheduled and slow work, off the web requests.

Huey runs the queue: its store is a SQLite file in instance/ by default (nothing to install for
``make run``) and Redis when REDIS_URL is set (production, several app instances). Huey is small,
kept up to date, and does periodic tasks itself, where RQ needs a separate scheduler and Celery a
broker plus beat. Huey's own task locks cannot expire on its SQLite store, so the "one run at
a time" rule uses a lease in the application database instead (booking/jobs/locks.py): it also
holds across web instances and workers that share the database but not a queue, and a killed
worker's lease runs out within seconds (systemd restarts the worker, which carries on at once).

Start it with ``flask --app wsgi worker`` (booking/cli/worker.py; ``make run`` starts it beside
the web server). Pages queue work through booking/jobs/enqueue.py, never through this module.
"""

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from booking.extensions import db
from booking.jobs import allocation as allocation_job
from booking.jobs import health, locks, scheduled
from booking.models import utcnow

log = logging.getLogger(__name__)

QUEUE_NAME = "waypoint"
# Replaced by configure_queue() from the app's settings before anything is queued.
# No result store: nothing reads a task's return value (the jobs log what they did, allocation
# runs keep theirs in the database), and stored results would pile up every minute.
huey = Huey(QUEUE_NAME, results=False, storage_class=MemoryStorage)
_worker_app: Flask | None = None

# How long one "send notifications" task keeps sending before the next minute's task takes over:
# together they deliver continuously, every NOTIFICATIONS_EVERY_SECONDS.
NOTIFICATIONS_WINDOW_SECONDS = 55
# How much lower than the web processes the worker asks the system to schedule it.
WORKER_NICENESS = 10


def configure_queue(app: Flask) -> None:
    """Point the queue at the store the settings name (the web app and the worker agree)."""
    if app.config["TASKS_RUN_IMMEDIATELY"]:
        huey.immediate = True  # tests: a queued task runs at once, in memory
        return
    huey.immediate = False
    redis_url = app.config["REDIS_URL"]
    if redis_url:
        huey.storage = RedisStorage(QUEUE_NAME, url=redis_url)
    else:
        path = Path(app.config["WORKER_QUEUE_FILE"] or Path(app.instance_path) / "queue.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage = SqliteStorage(QUEUE_NAME, filename=str(path))


@contextmanager
def _app_context() -> Iterator[Flask]:
    """The app a task runs in: the caller's (immediate mode) or the worker's own."""
    global _worker_app
    if has_app_context():
        yield current_app
        return
    if _worker_app is None:
        from booking import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        try:
            yield _worker_app
        finally:
            db.session.remove()


def _run_once(name: str, job: Callable[[], Any]) -> Any:
    """Run ``job`` unless another worker or app instance is running it right now. Its lock is
    a short lease renewed while it runs, so a worker killed mid-job holds nobody up for long."""
    with _app_context(), locks.exclusive(name) as mine:
        if not mine:
            log.info("%s: already running elsewhere; skipped", name)
            return None
        log.info("%s: started", name)
        result = job()
        log.info("%s: done %s", name, result)
        return result


# Every minute: holds and offers that ran out, notifications, force webhooks, leftover refunds.


@huey.periodic_task(crontab(minute="*"))
def expire_holds_and_offers() -> Any:
    return _run_once(
        "expire-holds-and-offers",
        lambda: scheduled.expire_holds_and_offers(utcnow()),
    )


@huey.periodic_task(crontab(minute="*"))
def send_notifications_this_minute() -> Any:
    return deliver_notifications.call_local(NOTIFICATIONS_WINDOW_SECONDS)


@huey.task()
def deliver_notifications(window_seconds: float = NOTIFICATIONS_WINDOW_SECONDS) -> Any:
    """Send queued messages every NOTIFICATIONS_EVERY_SECONDS for ``window_seconds``."""

    def keep_sending() -> dict[str, int]:
        every = max(1, current_app.config["NOTIFICATIONS_EVERY_SECONDS"])
        finish = time.monotonic() + window_seconds
        totals = {"sent": 0, "retrying": 0}
        while True:
            counts = scheduled.send_notifications()
            totals["sent"] += counts.get("sent", 0)
            totals["retrying"] = counts.get("retrying", 0)
            if time.monotonic() + every > finish:
                return totals
            time.sleep(every)

    return _run_once("send-notifications", keep_sending)


@huey.periodic_task(crontab(minute="*"))
def send_force_webhooks() -> Any:
    return _run_once("force-webhooks", lambda: scheduled.send_force_webhooks(utcnow()))


@huey.periodic_task(crontab(minute="*/5"))
def send_leftover_refunds() -> Any:
    return _run_once("send-refunds", lambda: scheduled.send_leftover_refunds(utcnow()))


@huey.task()
def send_refunds_after_commit(refund_ids: list[int] | None = None) -> Any:
    """Refunds a request has just committed (None: every refund waiting to be sent). Stripe is
    called here, never in the request; the sweep above catches any this misses."""
    return _run_once(
        "send-refunds",
        lambda: scheduled.send_refunds_now(refund_ids, utcnow()),
    )


@huey.periodic_task(crontab(minute="*/15"))
def run_contact_plans() -> Any:
    """Contact plans: the outbox holds each text and call until the person's safe hours."""
    return _run_once("contact-plans", lambda: scheduled.run_contact_plans(utcnow()))


# Daily (UTC): reminders, overdue referrals, data retention.


@huey.periodic_task(crontab(minute="0", hour="9"))
def send_deadline_reminders() -> Any:
    return _run_once("deadline-reminders", lambda: scheduled.send_deadline_reminders(utcnow()))


@huey.periodic_task(crontab(minute="0", hour="8"))
def queue_reminders() -> Any:
    return _run_once("reminders", lambda: scheduled.queue_reminders(utcnow()))


@huey.periodic_task(crontab(minute="30", hour="1"))
def close_overdue_referrals() -> Any:
    return _run_once(
        "overdue-referrals",
        lambda: scheduled.close_overdue_referrals(utcnow()),
    )


@huey.periodic_task(crontab(minute="0", hour="2"))
def run_retention() -> Any:
    return _run_once("retention", lambda: scheduled.run_retention(utcnow()))


# Slow work queued from a page.


@huey.task()
def run_allocation(run_id: int) -> Any:
    """Solve a queued allocation run; its page shows the progress and then the proposal."""

    def solve() -> str:
        config = current_app.config
        return allocation_job.run_queued(
            run_id,
            travel_buffer_minutes=config["TRAVEL_BUFFER_MINUTES"],
            time_limit_seconds=config["ALLOCATION_TIME_LIMIT"],
        )

    return _run_once(f"allocation-run-{run_id}", solve)


def run_consumer(app: Flask, *, threads: int) -> None:
    """Run the worker in this process until Ctrl-C or SIGTERM (``flask --app wsgi worker``)."""
    global _worker_app
    _worker_app = app
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Huey notes every task it runs; our jobs log what they did, which is what people need.
    logging.getLogger("huey").setLevel(logging.WARNING)
    # The allocation solver may use every core for seconds at a time; the pages people are
    # waiting on come first (the bench measures the catalogue during a run).
    os.nice(WORKER_NICENESS)
    # /healthz/worker reads this process's beat: a killed or stuck worker shows within minutes.
    health.start_heartbeat(app)
    # Several workers may all run the timetable: each job's lock lets only one run it.
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()


def queue_depth() -> int | None:
    """Tasks waiting in the queue, or None when its store (Redis) cannot be reached."""
    try:
        return huey.pending_count()
    except Exception:  # noqa: BLE001 - the health check reports it rather than failing
        log.warning("Could not read the queue's depth", exc_info=True)
        return None
