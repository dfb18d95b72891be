"""Is the worker keeping up? Its heartbeat, the queue's depth, and how late the oldest unsent
message and the oldest refund waiting for Stripe are, for /healthz/worker and the metrics.

Each worker process beats every HEARTBEAT_SECONDS (a row per process in worker_heartbeats);
the check reads the newest beat, so any one live worker keeps it green. Ages are measured
from when the work became due, so a message waiting for the person's safe hours is not late.
"""

import logging
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from booking.extensions import db
from booking.models import (
    Channel,
    Notification,
    NotificationStatus,
    Refund,
    RefundStatus,
    WorkerHeartbeat,
    utcnow,
)

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
# Past any of these the check answers 503, so an operator (or the load balancer's alarm) sees
# a stalled worker in minutes, not when people complain.
HEARTBEAT_LIMIT = timedelta(minutes=2)
MESSAGE_LATE_LIMIT = timedelta(minutes=10)
REFUND_WAITING_LIMIT = timedelta(minutes=15)
QUEUE_DEPTH_LIMIT = 1000
# Beats older than this belong to workers long gone: tidied away at each beat.
FORGET_BEATS_AFTER = timedelta(days=1)


@dataclass
class WorkerHealth:
    heartbeat_age_seconds: float | None
    queue_depth: int | None  # None: the queue's store (Redis) could not be asked
    oldest_unsent_message_seconds: float
    oldest_waiting_refund_seconds: float
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {"status": "ok" if self.ok else "error", **asdict(self)}


def beat(name: str, *, now: datetime) -> None:
    """Say this worker process is alive (its own row), and forget long-gone workers."""
    with db.engine.begin() as connection:
        moved = connection.execute(
            update(WorkerHeartbeat).where(WorkerHeartbeat.name == name).values(beat_at=now)
        ).rowcount
        if not moved:
            connection.execute(insert(WorkerHeartbeat).values(name=name, beat_at=now))
        connection.execute(
            delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_BEATS_AFTER)
        )


def _seconds(since: datetime | None, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def worker_health(*, now: datetime, queue_depth: int | None) -> WorkerHealth:
    """The worker's state now; ``problems`` names each threshold passed (empty: healthy)."""
    last_beat = db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    message_due = db.session.scalar(
        select(func.min(Notification.next_attempt_at)).where(
            Notification.status.in_((NotificationStatus.PENDING, NotificationStatus.SENDING)),
            Notification.channel != Channel.CALL,
            Notification.next_attempt_at <= now,
        )
    )
    refund_since = db.session.scalar(
        select(func.min(Refund.created_at)).where(Refund.status == RefundStatus.REQUESTED)
    )
    health = WorkerHealth(
        heartbeat_age_seconds=_seconds(last_beat, now) if last_beat is not None else None,
        queue_depth=queue_depth,
        oldest_unsent_message_seconds=_seconds(message_due, now),
        oldest_waiting_refund_seconds=_seconds(refund_since, now),
        problems=[],
    )
    if last_beat is None or now - last_beat > HEARTBEAT_LIMIT:
        health.problems.append("no worker heartbeat")
    if queue_depth is None:
        health.problems.append("queue cannot be reached")
    elif queue_depth > QUEUE_DEPTH_LIMIT:
        health.problems.append("queue too deep")
    if health.oldest_unsent_message_seconds > MESSAGE_LATE_LIMIT.total_seconds():
        health.problems.append("messages late")
    if health.oldest_waiting_refund_seconds > REFUND_WAITING_LIMIT.total_seconds():
        health.problems.append("refunds waiting")
    return health


def check(*, now: datetime, queue_depth: int | None) -> WorkerHealth | None:
    """``worker_health``, or None when the database cannot be asked (also a 503)."""
    try:
        return worker_health(now=now, queue_depth=queue_depth)
    except SQLAlchemyError:
        log.error("Worker health check could not reach the database", exc_info=True)
        db.session.rollback()
        return None


def start_heartbeat(app: Flask) -> threading.Thread:
    """Beat every HEARTBEAT_SECONDS from a thread of the worker process, until it exits."""
    name = f"{socket.gethostname()[:80]}:{os.getpid()}"

    def keep_beating() -> None:
        while True:
            try:
                with app.app_context():
                    beat(name, now=utcnow())
            except Exception:  # noqa: BLE001 - a database blip: the next beat tries again
                log.warning("Could not record the worker's heartbeat", exc_info=True)
            time.sleep(HEARTBEAT_SECONDS)

    thread = threading.Thread(target=keep_beating, name="worker-heartbeat", daemon=True)
    thread.start()
    return thread
