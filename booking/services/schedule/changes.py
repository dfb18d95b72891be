"""What follows when staff change a session: limits on the new time, a neutral message to
everyone affected, and the trainer rules checked again.

A trainer who can no longer deliver the changed session (not available then, a clash, over
their weekly maximum, not qualified for a new course type...) is taken off it rather than kept
as a listed conflict: an assignment that cannot happen would hide the gap, and the session
would not show in "sessions without enough trainers". Staff see each one on the next page and
can assign someone else; the trainer is told.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    Booking,
    BookingStatus,
    CourseSession,
    SessionAssignment,
    TrainerProfile,
    User,
)
from booking.services.errors import MESSAGES, ScheduleError
from booking.services.notify import digests, messages
from booking.services.trainers.allocation import runs as allocation

FURTHEST_AHEAD = timedelta(days=731)  # two years, leap day included


@dataclass(frozen=True)
class TrainerTakenOff:
    trainer_name: str
    code: str

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, self.code)


@dataclass
class SessionChange:
    session: CourseSession
    moved: bool = False
    people_told: int = 0
    trainers_told: int = 0
    taken_off: list[TrainerTakenOff] = field(default_factory=list)
    # Who is to be told, when the caller tells them itself (several sessions in one action):
    # the bookings whose session moved, and each trainer with whether they were taken off.
    bookings_to_tell: list[Booking] = field(default_factory=list)
    trainers_to_tell: list[tuple[User, bool]] = field(default_factory=list)


def where_and_when(course_session: CourseSession) -> tuple:
    """What a person would notice changing: date, time and place (the join link online)."""
    return (
        course_session.starts_at,
        course_session.ends_at,
        course_session.is_online,
        course_session.venue_id,
        course_session.online_join_url,
    )


def check_new_time(course_session: CourseSession, starts_at: datetime, *, now: datetime) -> None:
    """A session cannot be moved into the past or more than two years ahead. Raises
    ScheduleError("session_in_past") or ("session_too_far_ahead")."""
    if starts_at == course_session.starts_at:
        return
    if starts_at <= now:
        raise ScheduleError("session_in_past")
    if starts_at > now + FURTHEST_AHEAD:
        raise ScheduleError("session_too_far_ahead")


def after_change(
    course_session: CourseSession,
    *,
    moved: bool,
    by: User,
    now: datetime,
    base_url: str,
    tell: bool = True,
) -> SessionChange:
    """Re-check every assigned trainer against the rules (taking off those who now break one),
    then, if the date, time or place moved, tell each person with an active booking and each
    remaining trainer. Without ``tell`` nobody is told here: the change lists whom to tell, for
    a caller changing several sessions at once to tell each person once."""
    db.session.flush()
    db.session.expire(course_session, ["course_type", "venue", "force"])
    change = SessionChange(session=course_session, moved=moved)
    assignments = db.session.scalars(
        select(SessionAssignment)
        .options(joinedload(SessionAssignment.trainer).joinedload(TrainerProfile.user))
        .where(SessionAssignment.session_id == course_session.id)
        .order_by(SessionAssignment.id)
    ).all()
    for assignment in assignments:
        trainer = assignment.trainer
        code = allocation.rule_broken(course_session, trainer)
        if code is None:
            if moved:
                change.trainers_to_tell.append((trainer.user, False))
                change.trainers_told += 1
            continue
        allocation.unassign(assignment, by=by, now=now, reason=code, cause="session_changed")
        change.trainers_to_tell.append((trainer.user, True))
        change.taken_off.append(TrainerTakenOff(trainer.name, code))
    if moved:
        change.bookings_to_tell = people_affected(course_session)
        change.people_told = len(change.bookings_to_tell)
        for booking in change.bookings_to_tell:
            digests.take_back_before_a_change(booking, now=now)
    if tell:
        for person, taken_off in change.trainers_to_tell:
            _tell_trainer(person, course_session, now=now, taken_off=taken_off)
        for booking in change.bookings_to_tell:
            messages.session_changed(booking, now=now, base_url=base_url)
    return change


def people_affected(course_session: CourseSession) -> list[Booking]:
    """The bookings whose people hear of a change to the session: every live place."""
    waiting = [s for s in ACTIVE_STATES if s not in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)]
    affected = db.session.scalars(
        select(Booking)
        .options(joinedload(Booking.user))
        .where(Booking.session_id == course_session.id, Booking.status.in_(waiting))
        .order_by(Booking.id)
    ).all()
    return list(affected)


def tell_once(changed: list[SessionChange], *, now: datetime, base_url: str) -> None:
    """Tell everyone affected by several session changes made in one action once each: one
    message per person listing every booking that moved, one per trainer listing every session
    (kept, or taken off). Someone touched once gets the usual single message."""
    people: dict[int, list[Booking]] = {}
    trainers: dict[int, tuple[User, list[CourseSession], list[CourseSession]]] = {}
    for change in changed:
        for booking in change.bookings_to_tell:
            people.setdefault(booking.user_id, []).append(booking)
        for person, taken_off in change.trainers_to_tell:
            entry = trainers.setdefault(person.id, (person, [], []))
            entry[2 if taken_off else 1].append(change.session)
    for bookings in people.values():
        if len(bookings) == 1:
            messages.session_changed(bookings[0], now=now, base_url=base_url)
        else:
            digests.sessions_changed(bookings[0].user, bookings, now=now, base_url=base_url)
    for person, kept, off in trainers.values():
        if len(kept) + len(off) == 1:
            _tell_trainer(person, (kept or off)[0], now=now, taken_off=bool(off))
        else:
            digests.trainer_sessions_changed(person, kept=kept, taken_off=off, now=now)


def _tell_trainer(person: User, course_session: CourseSession, *, now: datetime, taken_off: bool):
    messages.trainer_session_changed(person, course_session, taken_off=taken_off, now=now)
