"""What staff see of waiting lists: who waits for a session, and which sessions have people
waiting or a place on offer. Changes go through bookings/waitlist.py."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import CourseSession, WaitingListEntry, WaitingStatus
from booking.services.bookings.waitlist import LIVE


def entries_for_session(session_id: int) -> list[WaitingListEntry]:
    """People waiting or holding an offer, in the order they joined (one query)."""
    return list(
        db.session.scalars(
            select(WaitingListEntry)
            .options(joinedload(WaitingListEntry.user))
            .where(WaitingListEntry.session_id == session_id, WaitingListEntry.status.in_(LIVE))
            .order_by(WaitingListEntry.joined_at, WaitingListEntry.id)
        )
    )


@dataclass(frozen=True)
class WaitingSession:
    session: CourseSession
    waiting: int
    offered: int


def sessions_with_waiting(*, now: datetime, limit: int = 200) -> list[WaitingSession]:
    """Sessions still to come with anyone waiting or holding an offer, soonest first."""
    waiting = func.sum(case((WaitingListEntry.status == WaitingStatus.WAITING, 1), else_=0))
    offered = func.sum(
        case(
            (
                (WaitingListEntry.status == WaitingStatus.OFFERED)
                & (WaitingListEntry.offer_expires_at > now),
                1,
            ),
            else_=0,
        )
    )
    counts = (
        select(
            WaitingListEntry.session_id.label("session_id"),
            waiting.label("waiting"),
            offered.label("offered"),
        )
        .where(WaitingListEntry.status.in_(LIVE))
        .group_by(WaitingListEntry.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(CourseSession, counts.c.waiting, counts.c.offered)
        .join(counts, counts.c.session_id == CourseSession.id)
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
        .where(CourseSession.starts_at > now)
        .order_by(CourseSession.starts_at, CourseSession.id)
        .limit(limit)
    ).all()
    return [WaitingSession(s, int(w or 0), int(o or 0)) for s, w, o in rows]
