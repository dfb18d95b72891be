"""A simulation of referred people through simulated weeks, with the worker's own jobs on a
fake clock: the contact plan, delivery, the deadline reminders, overdue referrals, and staff
ringing the calls list in office hours. People answer at once, late or never; some cancel;
sessions fill. Shared by the test (tests/functional/jobs/test_contact_simulation.py)."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.jobs import notifications as sender
from booking.jobs import scheduled
from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    Channel,
    ContactStep,
    CourseSession,
    Notification,
    NotificationStatus,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from booking.services import working_days
from booking.services.bookings import cancellation, seats
from booking.services.clock import LONDON
from booking.services.errors import BookingError, ReferralError
from booking.services.notify import channels as contact
from booking.services.notify import outbox
from booking.services.referrals import admin, outcomes
from booking.services.referrals.lookup import attendee_for_referral, eligible_sessions
from tests import factories

# Monday 5 January 2032, midnight UTC: the simulation's first hour.
START = datetime(2032, 1, 5, 0, 0, tzinfo=UTC)
ARRIVAL_DAYS = 14
DAYS_TO_COMPLETE = 28
# The hours (UK time) the clock stops at: every safe window and step in the simulation starts
# on one of them, and nothing is sent or rung at night.
HOURS = (7, 9, 10, 12, 14, 16, 18, 20)
FIRST_HOUR = HOURS[0]
SIMULATED_DAYS = ARRIVAL_DAYS + DAYS_TO_COMPLETE + 2
BEHAVIOURS = ("at_once", "late", "never", "cancels")
# What a person said is safe, if anything ("unknown": the force gave a number, nothing more).
KNOWN = {
    "unknown": {},
    "text": dict(text_is_safe=True),
    "text_evenings": dict(text_is_safe=True, safe_from_hour=18, safe_until_hour=21),
    "letter": dict(post_is_safe=True),
    "email": dict(email_is_safe=True),
    "call": dict(phone_is_safe=True, safe_from_hour=12, safe_until_hour=17),
}


class AlwaysSends:
    """A provider that accepts every message."""

    def __init__(self):
        self.count = 0

    def send(self, notification: Notification) -> str:
        self.count += 1
        return f"sim-{self.count}"


@dataclass
class Person:
    referral_id: int
    behaviour: str
    known: str
    reached: list[datetime] = field(default_factory=list)
    book_at: datetime | None = None
    cancelled: bool = False
    cancel_at: datetime | None = None
    misses: bool = False


@dataclass
class Result:
    referrals: int
    completed_by_deadline: int
    calls_made: list[tuple[int, datetime]]
    people: dict[int, Person]


def _sessions(forces, course) -> None:
    """Two sessions a week per force (Tuesday and Thursday 10am), 8 places each."""
    for force in forces:
        venue = factories.venue(force)
        for week in range(9):
            for weekday in (1, 3):
                day = (START + timedelta(weeks=week, days=weekday)).date()
                if working_days.is_bank_holiday(day):
                    continue
                starts = working_days.at_local(day, 10)
                factories.course_session(
                    starts_at=starts, capacity=8, venue_row=venue, course_type_row=course
                )


def _arrivals(rng: random.Random, count: int) -> list[datetime]:
    """Any hour of any day, more in working hours, over the first weeks."""
    moments = []
    for _ in range(count):
        day = rng.randrange(ARRIVAL_DAYS)
        hour = rng.choice([*range(8, 18)] * 3 + [*range(0, 24)])
        moments.append(START + timedelta(days=day, hours=hour, minutes=rng.choice((0, 20, 40))))
    return sorted(moments)


def _new_referral(force, course, arrived: datetime, number: int, known: str) -> Referral:
    values = {
        "police_reference": f"SIM/{number:04d}",
        "first_name": "Alex",
        "last_name": f"Person{number}",
        "date_of_birth": "1990-01-01",
        "email": "",
        "phone": f"07700 9{number:05d}",
        "course_type": course.slug,
        "referral_date": arrived.astimezone(LONDON).date().isoformat(),
        "deadline": (
            arrived.astimezone(LONDON).date() + timedelta(days=DAYS_TO_COMPLETE)
        ).isoformat(),
    }
    referral = admin.create_referral(force, values, by=None, now=arrived)
    if KNOWN[known]:
        # The person is already known to the charity: their safe channels are on record.
        person = attendee_for_referral(referral, now=arrived)
        profile = db.session.scalars(
            select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
        ).one()
        profile.phone_number = values["phone"]
        profile.postal_address = f"{number} Quiet Road"
        if known == "email":
            person.email = f"sim{number}@example.org"
        for name, value in KNOWN[known].items():
            setattr(profile, name, value)
    return referral


def _reached_since(since: datetime, now: datetime) -> list[tuple[int, datetime]]:
    """(user id, when) for each message that reached a person since the last stop."""
    rows = db.session.execute(
        select(Notification.user_id, Notification.sent_at).where(
            Notification.channel != Channel.CALL,
            Notification.status.in_([NotificationStatus.SENT, NotificationStatus.DELIVERED]),
            Notification.sent_at >= since,
            Notification.sent_at < now,
            Notification.kind.in_(["contact_first", "contact_nudge", "referral_deadline"]),
        )
    ).all()
    return [(user_id, sent_at) for user_id, sent_at in rows if user_id is not None]


def _decide(person: Person, when: datetime, rng: random.Random) -> None:
    person.reached.append(when)
    if person.book_at is not None or person.behaviour == "never":
        return
    if person.behaviour in ("at_once", "cancels") or person.cancelled:
        person.book_at = when + timedelta(hours=rng.randrange(1, 30))
    elif person.behaviour == "late" and len(person.reached) >= 3:
        person.book_at = when + timedelta(days=rng.randrange(1, 4))


REFUSALS: dict[str, int] = {}


def _book(referral: Referral, now: datetime) -> bool:
    person = db.session.get(User, referral.user_id)
    for course_session in eligible_sessions(referral, now=now + timedelta(days=2)):
        try:
            seats.place_booking(course_session.id, person, now=now, referral=referral)
            return True
        except (BookingError, ReferralError) as refusal:
            REFUSALS[refusal.code] = REFUSALS.get(refusal.code, 0) + 1
            continue
    REFUSALS["nothing_fits"] = REFUSALS.get("nothing_fits", 0) + 1
    return False


def _staff_ring(now: datetime, people_by_user: dict[int, Person], calls, rng, tried) -> None:
    """Staff ring each call due, in office hours on working days, inside safe hours."""
    local = now.astimezone(LONDON)
    if not working_days.is_working_day(local.date()) or not 9 <= local.hour < 17:
        return
    due = db.session.scalars(
        select(Notification).where(
            Notification.channel == Channel.CALL,
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
    ).all()
    if not due:
        return
    staff = db.session.scalars(select(User).where(User.role == Role.ADMIN)).first()
    today = local.date()
    for call in due:
        person_row = db.session.get(User, call.user_id)
        # Staff try a number at most once a day, and three times in all.
        if call.attempts >= 3 or tried.get(call.id) == today:
            continue
        if not contact.within_safe_hours(person_row, Channel.CALL, now):
            continue
        tried[call.id] = today
        person = people_by_user.get(call.user_id)
        answers = person is not None and (
            person.behaviour in ("at_once", "cancels")
            or (person.behaviour == "late" and rng.random() < 0.4)
        )
        calls.append((call.id, now))
        outbox.record_call(call.id, "spoke" if answers else "no_answer", staff=staff, now=now)
        if answers and person is not None:
            _decide(person, now, rng)


def _sessions_end(now: datetime, people: dict[int, Person], *, since: datetime) -> None:
    """Sessions that ended this hour: attendance recorded, referrals completed."""
    ended = db.session.scalars(
        select(Booking)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            CourseSession.ends_at <= now,
            CourseSession.ends_at > since,
        )
    ).all()
    for booking in ended:
        person = people.get(booking.referral_id or 0)
        booking.status = (
            BookingStatus.NO_SHOW if person and person.misses else BookingStatus.ATTENDED
        )
        outcomes.apply_attendance(booking, by=None, now=now)


def _hour(now: datetime, *, with_plan: bool, channels) -> None:
    """The worker's jobs for this hour, as its timetable runs them."""
    if with_plan:
        scheduled.run_contact_plans(now)
    local_hour = now.astimezone(LONDON).hour
    if local_hour == 9:
        scheduled.send_deadline_reminders(now)
    if local_hour == FIRST_HOUR:
        scheduled.close_overdue_referrals(now)
    sender.send_pending(now=now, channels=channels)


def _people_act(now: datetime, people: dict[int, Person], rng: random.Random) -> None:
    """People book when they decided to (a full week: another day), and some cancel."""
    for person in people.values():
        if person.cancel_at is not None and person.cancel_at <= now:
            person.cancel_at = None
            booking = db.session.scalars(
                select(Booking).where(
                    Booking.referral_id == person.referral_id,
                    Booking.status == BookingStatus.CONFIRMED,
                )
            ).first()
            if booking is not None and booking.session.starts_at > now:
                cancellation.end_booking(
                    booking, reason="attendee", by=None, now=now, policy=factories.ENDING_POLICY
                )
        if person.book_at is None or person.book_at > now:
            continue
        person.book_at = None
        referral = db.session.get(Referral, person.referral_id)
        if referral.status != ReferralStatus.OPEN or referral.user_id is None:
            continue
        if not _book(referral, now):
            person.book_at = now + timedelta(days=1)
        elif person.behaviour == "cancels" and not person.cancelled:
            person.cancelled = True
            person.cancel_at = now + timedelta(days=rng.randrange(1, 4))


def run(*, count: int, forces: int, with_plan: bool, seed: int = 2032) -> Result:
    """Run ``count`` referrals across ``forces`` forces; without the plan, people are reached
    by the 14/7/3-day reminders alone."""
    rng = random.Random(seed)
    factories.user(Role.ADMIN)
    course = factories.course_type(default_capacity=8)
    force_rows = [factories.force(f"sim-force-{n}") for n in range(forces)]
    _sessions(force_rows, course)
    db.session.commit()
    arrivals = _arrivals(rng, count)
    people: dict[int, Person] = {}
    people_by_user: dict[int, Person] = {}
    calls: list[tuple[int, datetime]] = []
    tried: dict[int, date] = {}
    channels = {channel: AlwaysSends() for channel in (Channel.TEXT, Channel.EMAIL, Channel.LETTER)}
    next_arrival = 0
    now = START + timedelta(hours=FIRST_HOUR)
    last = START
    end = START + timedelta(days=SIMULATED_DAYS)
    while now <= end:
        while next_arrival < count and arrivals[next_arrival] <= now:
            referral = _new_referral(
                force_rows[next_arrival % forces],
                course,
                arrivals[next_arrival],
                next_arrival,
                rng.choice([*KNOWN]),
            )
            people[referral.id] = Person(
                referral.id, rng.choice(BEHAVIOURS), "", misses=rng.random() < 0.08
            )
            if not with_plan:  # reminders alone: no plan is started
                for step in db.session.scalars(
                    select(ContactStep).where(ContactStep.referral_id == referral.id)
                ):
                    db.session.delete(step)
            next_arrival += 1
        db.session.commit()
        _hour(now, with_plan=with_plan, channels=channels)
        for referral_id, user_id in db.session.execute(
            select(Referral.id, Referral.user_id).where(Referral.user_id.is_not(None))
        ):
            people_by_user.setdefault(user_id, people[referral_id])
        for user_id, when in _reached_since(last, now):
            if user_id in people_by_user:
                _decide(people_by_user[user_id], when, rng)
        _staff_ring(now, people_by_user, calls, rng, tried)
        _people_act(now, people, rng)
        _sessions_end(now, people, since=last)
        db.session.commit()
        # The worker delivers within seconds of a message being queued.
        sender.send_pending(now=now, channels=channels)
        last = now
        now += timedelta(hours=1)
        while now.astimezone(LONDON).hour not in HOURS:
            now += timedelta(hours=1)
    completed = db.session.scalars(
        select(Referral).where(Referral.status == ReferralStatus.COMPLETED)
    ).all()
    on_time = sum(1 for row in completed if row.completed_on and row.completed_on <= row.deadline)
    return Result(count, on_time, calls, people)
