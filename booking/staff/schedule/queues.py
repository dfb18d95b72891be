"""The dashboard's queues: each a count of work waiting and a link to where it is done.

A table, so a new queue is one more entry: a label, the function that counts it (it takes
``now`` and runs one query) and the page that works it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from booking.services.schedule import overview
from booking.web.security import may_open


@dataclass(frozen=True)
class Queue:
    label: str
    count: Callable[..., int]
    endpoint: str


QUEUES: list[Queue] = [
    Queue("Help requests waiting", overview.help_requests_waiting, "staff.money.waiver_queue"),
    Queue("Refunds to decide", overview.refunds_to_decide, "staff.money.refunds_page"),
    Queue(
        "Sessions short of trainers",
        overview.sessions_short_of_trainers,
        "staff.trainers.short_sessions",
    ),
    Queue(
        "Sessions awaiting closure",
        overview.sessions_awaiting_closure,
        "staff.schedule.awaiting_closure",
    ),
    Queue(
        "Waiting lists with open offers",
        overview.waiting_lists_with_open_offers,
        "staff.schedule.waiting_lists",
    ),
    Queue("Calls to make", overview.calls_to_make, "staff.contact.calls"),
    Queue(
        "Messages withheld or failed",
        overview.messages_withheld_or_failed,
        "staff.contact.attention",
    ),
    Queue(
        "Referrals near their deadline, not booked",
        overview.referrals_near_deadline_unbooked,
        "staff.referrals.near_deadline",
    ),
]


@dataclass(frozen=True)
class QueueCount:
    label: str
    count: int
    url: str


def queue_counts(now: datetime) -> list[QueueCount]:
    """The queues the signed-in role can work: a count it could not follow is only noise."""
    return [
        QueueCount(q.label, q.count(now=now), url_for(q.endpoint))
        for q in QUEUES
        if may_open(q.endpoint)
    ]
