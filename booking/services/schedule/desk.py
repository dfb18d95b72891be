"""The coordinator's view of sessions: a filtered list (and its CSV), sessions waiting to be
closed, and a session's needs counted without names.

Every list here is a fixed number of queries whatever the number of sessions: seats taken and
trainers assigned are grouped subqueries joined to the sessions, so filtering by fill or
staffing happens in SQL and paging stays correct.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    CourseSession,
    CourseType,
    PoliceForce,
    SessionAssignment,
    SessionStatus,
    WaitingListEntry,
)
from booking.services.bookings.seats import open_offer_condition, seat_holding_condition
from booking.services.clock import LONDON

STAFFING_CHOICES = {"short": "Short of trainers", "staffed": "Fully staffed"}
FILL_CHOICES = {"empty": "Nobody booked", "places": "Places left", "full": "Full"}


@dataclass(frozen=True)
class SessionFilters:
    """What a coordinator narrows the session list by; None or "" means "any"."""

    date_from: date | None = None
    date_to: date | None = None
    force_id: int | None = None
    course_type_id: int | None = None
    staffing: str = ""
    fill: str = ""
    include_cancelled: bool = False


@dataclass(frozen=True)
class SessionRow:
    session: CourseSession
    taken: int
    trainers: int

    @property
    def needed(self) -> int:
        return self.session.course_type.trainers_needed

    @property
    def short_of_trainers(self) -> bool:
        return self.trainers < self.needed


def _counts(now: datetime, window: list | None = None):
    """Seats taken (bookings holding a seat plus open offers) and trainers assigned, per session.
    ``window``: conditions on the sessions listed, so only their bookings are counted (not every
    booking ever made, which grows with the database)."""
    listed = (
        Booking.session_id.in_(select(CourseSession.id).where(*window).correlate(None))
        if window
        else true()
    )
    booked = (
        select(Booking.session_id.label("session_id"), func.count(Booking.id).label("n"))
        .where(seat_holding_condition(now), listed)
        .group_by(Booking.session_id)
        .subquery()
    )
    offered = (
        select(
            WaitingListEntry.session_id.label("session_id"),
            func.count(WaitingListEntry.id).label("n"),
        )
        .where(open_offer_condition(now))
        .group_by(WaitingListEntry.session_id)
        .subquery()
    )
    staffed = (
        select(
            SessionAssignment.session_id.label("session_id"),
            func.count(SessionAssignment.id).label("n"),
        )
        .group_by(SessionAssignment.session_id)
        .subquery()
    )
    taken = func.coalesce(booked.c.n, 0) + func.coalesce(offered.c.n, 0)
    trainers = func.coalesce(staffed.c.n, 0)
    return booked, offered, staffed, taken, trainers


def _statement(filters: SessionFilters, *, now: datetime) -> Select:
    return _filtered(filters, now=now)[0]


def _filtered(filters: SessionFilters, *, now: datetime) -> tuple[Select, ColumnElement[int]]:
    """The filtered sessions with seats taken and trainers, and the seats-taken column."""
    if filters.date_from is not None:
        window = [CourseSession.starts_at >= _start_of(filters.date_from)]
    else:
        window = [CourseSession.ends_at > now - timedelta(days=1)]
    if filters.date_to is not None:
        window.append(CourseSession.starts_at < _start_of(filters.date_to + timedelta(days=1)))
    booked, offered, staffed, taken, trainers = _counts(now, window)
    statement = (
        select(CourseSession, taken.label("taken"), trainers.label("trainers"))
        .join(CourseType, CourseType.id == CourseSession.course_type_id)
        .outerjoin(booked, booked.c.session_id == CourseSession.id)
        .outerjoin(offered, offered.c.session_id == CourseSession.id)
        .outerjoin(staffed, staffed.c.session_id == CourseSession.id)
        .where(*window)
    )
    if filters.force_id:
        statement = statement.where(CourseSession.force_id == filters.force_id)
    if filters.course_type_id:
        statement = statement.where(CourseSession.course_type_id == filters.course_type_id)
    if not filters.include_cancelled:
        statement = statement.where(CourseSession.status != SessionStatus.CANCELLED)
    if filters.staffing == "short":
        statement = statement.where(trainers < CourseType.trainers_needed)
    elif filters.staffing == "staffed":
        statement = statement.where(trainers >= CourseType.trainers_needed)
    if filters.fill == "empty":
        statement = statement.where(taken == 0)
    elif filters.fill == "places":
        statement = statement.where(taken < CourseSession.capacity)
    elif filters.fill == "full":
        statement = statement.where(taken >= CourseSession.capacity)
    return statement, taken


def totals_by_area(
    filters: SessionFilters, *, now: datetime
) -> list[tuple[str | None, int, int, int]]:
    """(area name or None for online, sessions, places, places taken) for the filtered sessions,
    summed in SQL: one row per area however many sessions there are. A session's taken places
    count up to its capacity."""
    statement, taken = _filtered(filters, now=now)
    capped = case((taken < CourseSession.capacity, taken), else_=CourseSession.capacity)
    return [
        (area, sessions, int(places or 0), int(used or 0))
        for area, sessions, places, used in db.session.execute(
            statement.outerjoin(PoliceForce, PoliceForce.id == CourseSession.force_id)
            .with_only_columns(
                PoliceForce.name,
                func.count(CourseSession.id),
                func.sum(CourseSession.capacity),
                func.sum(capped),
            )
            .group_by(PoliceForce.name)
        ).all()
    ]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def count_sessions(filters: SessionFilters, *, now: datetime) -> int:
    statement = _statement(filters, now=now)
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def find_sessions(
    filters: SessionFilters, *, now: datetime, limit: int | None = None, offset: int = 0
) -> list[SessionRow]:
    """Sessions matching the filters, soonest first, with seats taken and trainers assigned."""
    statement = (
        _statement(filters, now=now)
        .options(
            joinedload(CourseSession.course_type),
            joinedload(CourseSession.venue),
            joinedload(CourseSession.force),
        )
        .order_by(CourseSession.starts_at, CourseSession.id)
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [
        SessionRow(session, taken, trainers)
        for session, taken, trainers in db.session.execute(statement).all()
    ]


CSV_HEADER = [
    "Session",
    "Date",
    "Start",
    "End",
    "Course",
    "Where",
    "Area",
    "Places",
    "Taken",
    "Trainers",
    "Trainers needed",
    "Women-only",
    "Status",
]


def sessions_csv(rows: list[SessionRow]) -> str:
    """The filtered list as CSV, without anyone's name: sessions, places and staffing only."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        s = row.session
        start, end = s.starts_at.astimezone(LONDON), s.ends_at.astimezone(LONDON)
        writer.writerow(
            [
                s.id,
                start.date().isoformat(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                _cell(s.course_type.name),
                "Online" if s.is_online else _cell(s.venue.name if s.venue else ""),
                _cell(s.force.name if s.force else ""),
                s.capacity,
                row.taken,
                row.trainers,
                row.needed,
                "yes" if s.women_only else "no",
                s.status.value,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet treats a cell starting with = + - @ as a formula: keep it as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def awaiting_closure(*, now: datetime, limit: int = 200) -> list[SessionRow]:
    """Sessions that have ended but are still open: the trainer has not closed them yet."""
    booked, offered, staffed, taken, trainers = _counts(now)
    rows = db.session.execute(
        select(CourseSession, taken, trainers)
        .outerjoin(booked, booked.c.session_id == CourseSession.id)
        .outerjoin(offered, offered.c.session_id == CourseSession.id)
        .outerjoin(staffed, staffed.c.session_id == CourseSession.id)
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
        .where(_awaiting_closure(now))
        .order_by(CourseSession.ends_at, CourseSession.id)
        .limit(limit)
    ).all()
    return [SessionRow(s, n, t) for s, n, t in rows]


def _awaiting_closure(now: datetime):
    return and_(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.ends_at <= now)


def count_awaiting_closure(*, now: datetime) -> int:
    return (
        db.session.scalar(select(func.count(CourseSession.id)).where(_awaiting_closure(now))) or 0
    )


@dataclass(frozen=True)
class NeedsSummary:
    """How many people on a session need each thing: numbers only, never who."""

    interpreter: int = 0
    step_free: int = 0
    women_only_room: int = 0
    childcare: int = 0

    @property
    def any(self) -> bool:
        return bool(self.interpreter or self.step_free or self.women_only_room or self.childcare)


SUMMARY_STATES = (
    BookingStatus.HELD,
    BookingStatus.AWAITING_PAYMENT,
    BookingStatus.AWAITING_WAIVER,
    BookingStatus.CONFIRMED,
    BookingStatus.ATTENDED,
    BookingStatus.NO_SHOW,
)


def needs_summary(session_id: int) -> NeedsSummary:
    """Counts of interpreter, step-free, women-only room and childcare needs (one query)."""

    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            counted(
                or_(
                    AttendeeProfile.needs_bsl_interpreter.is_(True),
                    AttendeeProfile.interpreter_language != "",
                )
            ),
            counted(AttendeeProfile.needs_step_free.is_(True)),
            counted(AttendeeProfile.prefers_women_only.is_(True)),
            counted(AttendeeProfile.needs_childcare.is_(True)),
        )
        .select_from(Booking)
        .join(AttendeeProfile, AttendeeProfile.user_id == Booking.user_id)
        .where(Booking.session_id == session_id, Booking.status.in_(SUMMARY_STATES))
    ).one()
    return NeedsSummary(*(int(value) for value in row))
