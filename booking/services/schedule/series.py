"""Weekly series: change, cancel or skip the dates still to come, all at once.

Each date is changed or cancelled through the same single-session functions
(sessions.update_session, sessions.cancel_session), so the people booked and the trainers are
told (once each, listing every date), money is settled by the one consequences function, and
a rule broken on any one date (places below the seats taken, a time in the past) refuses the
whole change: the caller's transaction rolls back and nothing is half done.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, CourseSession, SessionSeries, SessionStatus, User
from booking.services.bookings import cancellation
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.clock import LONDON
from booking.services.errors import ScheduleError
from booking.services.notify import digests, messages
from booking.services.schedule import changes, sessions


@dataclass(frozen=True)
class SeriesChange:
    """What to change on every remaining date; None keeps what each date has."""

    start_time: time | None = None
    end_time: time | None = None
    venue_id: int | None = None
    capacity: int | None = None


@dataclass
class SeriesResult:
    dates: int = 0
    people_told: int = 0
    bookings_ended: int = 0
    taken_off: list[changes.TrainerTakenOff] = field(default_factory=list)


def series_sessions(series_id: int) -> list[CourseSession]:
    """Every date of the series, cancelled ones included, in date order (one query)."""
    return list(
        db.session.scalars(
            select(CourseSession)
            .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
            .where(CourseSession.series_id == series_id)
            .order_by(CourseSession.starts_at, CourseSession.id)
        )
    )


def remaining(series_id: int, *, now: datetime) -> list[CourseSession]:
    """The dates still to come and still running."""
    return [
        s
        for s in series_sessions(series_id)
        if s.status == SessionStatus.SCHEDULED and s.starts_at > now
    ]


def _series(series_id: int) -> SessionSeries:
    series = db.session.get(SessionSeries, series_id)
    if series is None:
        raise ScheduleError("session_not_found")
    return series


def _details(course_session: CourseSession, change: SeriesChange) -> sessions.SessionDetails:
    start = course_session.starts_at.astimezone(LONDON)
    end = course_session.ends_at.astimezone(LONDON)
    day = start.date()
    details = sessions.SessionDetails(
        course_type_id=course_session.course_type_id,
        venue_id=course_session.venue_id,
        is_online=course_session.is_online,
        online_join_url=course_session.online_join_url,
        starts_at=start,
        ends_at=end,
        capacity=course_session.capacity,
        women_only=course_session.women_only,
        notes=course_session.notes,
    )
    if change.start_time is not None:
        # A new start time alone moves the whole session: it keeps its length.
        new_start = datetime.combine(day, change.start_time, LONDON)
        details = replace(details, starts_at=new_start, ends_at=new_start + (end - start))
    if change.end_time is not None:
        details = replace(details, ends_at=datetime.combine(day, change.end_time, LONDON))
    if change.venue_id is not None and not course_session.is_online:
        details = replace(details, venue_id=change.venue_id)
    if change.capacity is not None:
        details = replace(details, capacity=change.capacity)
    return details


def change_remaining(
    series_id: int, change: SeriesChange, *, by: User, now: datetime, base_url: str = ""
) -> SeriesResult:
    """Change the time, venue (in-person dates) or places of every remaining date. Raises
    ScheduleError as update_session does, for the first date that cannot take the change."""
    _series(series_id)
    result = SeriesResult()
    outcomes = []
    for course_session in remaining(series_id, now=now):
        outcome = sessions.update_session(
            course_session.id,
            _details(course_session, change),
            by=by,
            now=now,
            base_url=base_url,
            tell=False,
        )
        outcomes.append(outcome)
        result.dates += 1
        result.taken_off.extend(outcome.taken_off)
    # One message per person and per trainer, listing every date, not one per date.
    changes.tell_once(outcomes, now=now, base_url=base_url)
    result.people_told = len({b.user_id for o in outcomes for b in o.bookings_to_tell})
    return result


def cancel_remaining(
    series_id: int, *, by: User, now: datetime, reason: str, policy: EndingPolicy
) -> SeriesResult:
    """Cancel every remaining date; each booking ends through the one consequences function."""
    _series(series_id)
    result = SeriesResult()
    endings: list[cancellation.Ending] = []
    trainers: list[tuple[User, CourseSession]] = []
    for course_session in remaining(series_id, now=now):
        result.bookings_ended += sessions.cancel_session(
            course_session.id,
            by=by,
            now=now,
            reason=reason,
            policy=policy,
            endings=endings,
            trainers_later=trainers,
        )
        result.dates += 1
    tell_cancelled_once(endings, now=now)
    tell_trainers_once(trainers, now=now)
    return result


def tell_trainers_once(trainers: list[tuple[User, CourseSession]], *, now: datetime) -> None:
    """One message per trainer listing every cancelled session they were down for."""
    by_trainer: dict[int, tuple[User, list[CourseSession]]] = {}
    for person, course_session in trainers:
        by_trainer.setdefault(person.id, (person, []))[1].append(course_session)
    for person, cancelled in by_trainer.values():
        if len(cancelled) == 1:
            messages.trainer_session_cancelled(person, cancelled[0], now=now)
        else:
            digests.trainer_sessions_cancelled(person, cancelled, now=now)


def tell_cancelled_once(endings: list[cancellation.Ending], *, now: datetime) -> None:
    """One message per person for bookings ended together, each with what happens to its
    money, in place of the one message per booking each ending queued (taken back before the
    commit, so none is sent); someone with one booking ended keeps the usual message."""
    by_person: dict[int, list[tuple[Booking, str]]] = {}
    for ending in endings:
        note = messages.money_note(
            ending.money,
            refunded_pence=ending.refunded_pence,
            returned_to_fund=bool(ending.returned_to_fund_pence),
        )
        by_person.setdefault(ending.booking.user_id, []).append((ending.booking, note))
    for items in by_person.values():
        if len(items) > 1:
            digests.take_back_unsent("session_cancelled", [booking.id for booking, _ in items])
            digests.sessions_cancelled(items[0][0].user, items, now=now)


def skip_date(
    series_id: int,
    session_id: int,
    *,
    by: User,
    now: datetime,
    reason: str,
    policy: EndingPolicy,
) -> int:
    """Leave one date out of the series (the others stay): it is cancelled like any session.
    Raises ScheduleError("session_not_found") for a date of another series or one that has
    passed."""
    if session_id not in {s.id for s in remaining(series_id, now=now)}:
        raise ScheduleError("session_not_found")
    return sessions.cancel_session(session_id, by=by, now=now, reason=reason, policy=policy)
