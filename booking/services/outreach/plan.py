"""The contact plan: reaching a referred person from the day their referral arrives.

A referral's plan starts the moment it arrives (staff form, CSV or the force's API): the first
contact is due the next working day, in the morning, inside the person's safe hours. It goes
on their first safe channel (a calm text, email or letter with a link that opens their
referral), or is a call task for staff when calls are their safe way or nothing else is known.
Then, until they book, the next step follows the charity's rule (``CONTACT_PLAN`` in the
settings, e.g. "2 text, 5 call, 9 letter": working days after the referral arrived), and the
14, 7 and 3-day deadline reminders after it. A step never goes on an unsafe channel, never
outside safe hours (the outbox holds texts and calls until then), and none is taken once the
person has booked, withdrawn or the referral has ended.

After booking, a person who asked for more help (travel, childcare, an interpreter, other
needs) gets a call task the day before their session.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    Channel,
    ContactStep,
    CourseSession,
    Notification,
    Referral,
    ReferralStatus,
    StepStatus,
    User,
)
from booking.services import audit, working_days
from booking.services.notify import channels as contact
from booking.services.notify import contact_plan as wording
from booking.services.referrals.lookup import attendee_for_referral

# The charity's rule, as it reads: working days after the referral arrived, and the way.
DEFAULT_RULE = "2 text, 5 call, 9 letter"
FIRST_CONTACT_WORKING_DAYS = 1
# Staff start ringing at 9am; texts wait for the person's own safe hours too.
OFFICE_OPENS_HOUR = 9
FIRST = "first"
# The note on a step staff took by hand (a link sent from the gaps list): not one of the plan's.
STAFF_NOTE = "Sent by staff."
DAY_BEFORE = "day_before"
WAYS = {
    "text": Channel.TEXT,
    "email": Channel.EMAIL,
    "letter": Channel.LETTER,
    "call": Channel.CALL,
}
WAY_WORDS = {
    FIRST: "first contact",
    "text": "a text message",
    "email": "an email",
    "letter": "a letter",
    "call": "a call from our team",
    DAY_BEFORE: "a call the day before their session",
}
ENDED_WORDS = {
    ReferralStatus.BOOKED: "They booked.",
    ReferralStatus.COMPLETED: "The referral was completed.",
    ReferralStatus.NOT_COMPLETED: "The referral ended.",
    ReferralStatus.WITHDRAWN: "The referral was withdrawn.",
}


@dataclass(frozen=True)
class RuleStep:
    working_day: int
    way: str


def parse_rule(text: str) -> tuple[RuleStep, ...]:
    """Read the charity's rule ("2 text, 5 call, 9 letter"). Raises ValueError with a plain
    reason when a part is not "<working day> <text|email|letter|call>" or the days do not
    rise after the first contact."""
    steps: list[RuleStep] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        words = part.split()
        if len(words) != 2 or not words[0].isdigit() or words[1].lower() not in WAYS:
            raise ValueError(f"{part!r} is not like '5 call' (a working day, then {list(WAYS)})")
        day = int(words[0])
        previous = steps[-1].working_day if steps else FIRST_CONTACT_WORKING_DAYS
        if day <= previous:
            raise ValueError(f"{part!r}: each step must come on a later working day")
        steps.append(RuleStep(day, words[1].lower()))
    return tuple(steps)


def rule_words(rule: tuple[RuleStep, ...]) -> list[str]:
    """The plan in plain words, for staff pages."""
    lines = [f"Working day {FIRST_CONTACT_WORKING_DAYS}: {WAY_WORDS[FIRST]}"]
    lines += [f"Working day {step.working_day}: {WAY_WORDS[step.way]}" for step in rule]
    return [*lines, "Then the reminders 14, 7 and 3 days before the deadline"]


def _region(referral: Referral) -> str:
    force = referral.force
    return working_days.region_for_country(force.country if force is not None else None)


def _person(referral: Referral) -> User | None:
    return db.session.get(User, referral.user_id) if referral.user_id is not None else None


def _profile(referral: Referral) -> AttendeeProfile | None:
    person = _person(referral)
    return contact.profile_for(person) if person is not None else None


def morning_of(day, profile: AttendeeProfile | None) -> datetime:
    """The first moment on ``day`` that staff are in and the person's safe hours have begun."""
    start, end = contact.safe_hours(profile)
    hour = max(OFFICE_OPENS_HOUR, start)
    return working_days.at_local(day, hour if hour < end else start)


def arrival_day(referral: Referral):
    return working_days.local_day(referral.created_at)


def due_on_working_day(referral: Referral, count: int) -> datetime:
    """The morning ``count`` working days after the day the referral arrived (a referral on a
    Friday afternoon before a bank-holiday Monday: working day 1 is the Tuesday)."""
    region = _region(referral)
    day = arrival_day(referral)
    for _ in range(count):
        day = working_days.next_working_day(day, region)
    return morning_of(day, _profile(referral))


def start_plan(referral: Referral, *, now: datetime) -> ContactStep:
    """Start a new referral's plan: its first contact, due the next working day morning."""
    if referral.created_at is None:
        referral.created_at = now
    step = ContactStep(
        referral_id=referral.id,
        number=1,
        way=FIRST,
        status=StepStatus.PLANNED,
        due_at=due_on_working_day(referral, FIRST_CONTACT_WORKING_DAYS),
        created_at=now,
    )
    db.session.add(step)
    return step


def _choose_channel(way: str, safe: list[Channel]) -> Channel:
    """The channel a step goes by: the way the plan asks for when it is safe, else the
    person's first safe written channel, else a call task (calls are their safe way, or
    nothing else is known). Never a channel they have not said is safe, unless nothing is."""
    written = [channel for channel in safe if channel != Channel.CALL]
    call_allowed = Channel.CALL in safe or not safe
    if way == DAY_BEFORE:
        return Channel.CALL
    if way == FIRST:
        if safe and safe[0] != Channel.CALL:
            return safe[0]
        return Channel.CALL
    wanted = WAYS[way]
    if wanted in safe:
        return wanted
    if wanted == Channel.CALL and call_allowed:
        return Channel.CALL
    if written:
        return written[0]
    return Channel.CALL


def _kind(step: ContactStep) -> str:
    if step.way == DAY_BEFORE:
        return "contact_day_before"
    return "contact_first" if step.number == 1 else "contact_nudge"


def _stop(step: ContactStep, note: str, *, now: datetime) -> None:
    step.status = StepStatus.STOPPED
    step.done_at = now
    step.note = note[:200]


def next_number(referral_id: int) -> int:
    """The number the referral's next step takes (after every step, planned or extra)."""
    highest = db.session.scalar(
        select(func.max(ContactStep.number)).where(ContactStep.referral_id == referral_id)
    )
    return (highest or 0) + 1


def _plan_next(step: ContactStep, rule: tuple[RuleStep, ...], *, now: datetime) -> None:
    referral = step.referral
    # The plan's own steps so far (not a call the day before, nor a link staff sent).
    taken = db.session.scalar(
        select(func.count(ContactStep.id)).where(
            ContactStep.referral_id == referral.id,
            ContactStep.way != DAY_BEFORE,
            ContactStep.note != STAFF_NOTE,
        )
    )
    following = (taken or 1) - 1  # step 1 is the first contact; rule[0] comes next
    if following >= len(rule):
        return
    upcoming = rule[following]
    due = due_on_working_day(referral, upcoming.working_day)
    if working_days.local_day(due) > referral.deadline:
        return
    db.session.add(
        ContactStep(
            referral_id=referral.id,
            number=next_number(referral.id),
            way=upcoming.way,
            status=StepStatus.PLANNED,
            due_at=due,
            created_at=now,
        )
    )


def take_step(
    step: ContactStep, *, now: datetime, link_for: Callable[[User], str]
) -> Notification | None:
    """Carry out one due step: the person's account (made on first use, as booking by
    reference does), their safe channels, the message or call task, and the step marked done."""
    referral = step.referral
    person = _person(referral) or attendee_for_referral(referral, now=now)
    safe = [channel for channel, _ in contact.safe_channels(person)]
    channel = _choose_channel(step.way, safe)
    link = link_for(person) if channel != Channel.CALL else ""
    row = wording.queue_contact(
        person, referral, kind=_kind(step), now=now, link=link, channel=channel
    )
    db.session.flush()
    step.status = StepStatus.DONE
    step.done_at = now
    step.channel = channel.value
    step.notification_id = row.id if row is not None else None
    if step.way not in (FIRST, DAY_BEFORE) and channel != WAYS[step.way]:
        step.note = f"Sent by {contact.CHANNEL_NAMES[channel]}: the person's safe way."
    elif channel == Channel.CALL and not safe:
        step.note = "A call: no safe way to write to them is known yet."
    audit.record(
        "referral.contact_step",
        "referral",
        referral.id,
        actor=None,
        now=now,
        step=step.number,
        channel=channel.value,
    )
    return row


def _day_before_reason_to_stop(referral: Referral) -> str:
    if referral.status != ReferralStatus.BOOKED:
        return ENDED_WORDS.get(referral.status, "The booking ended.")
    person = _person(referral)
    if person is None:
        return "Nobody to call."
    safe = [channel for channel, _ in contact.safe_channels(person)]
    if safe and Channel.CALL not in safe:
        return "Calls are not a safe way to reach them."
    return ""


def run_due_steps(
    *, now: datetime, rule: tuple[RuleStep, ...], link_for: Callable[[User], str]
) -> dict[str, int]:
    """Take every planned step that is due, or stop it when the person has booked, withdrawn
    or the referral has ended. Safe to run twice: a step is done once (rows locked, skipped
    when another worker has them)."""
    due = db.session.scalars(
        select(ContactStep)
        .options(joinedload(ContactStep.referral).joinedload(Referral.force))
        .where(ContactStep.status == StepStatus.PLANNED, ContactStep.due_at <= now)
        .order_by(ContactStep.due_at, ContactStep.id)
        .with_for_update(of=ContactStep, skip_locked=True)
    ).all()
    counts = {"taken": 0, "stopped": 0}
    for step in due:
        referral = step.referral
        if step.way == DAY_BEFORE:
            reason = _day_before_reason_to_stop(referral)
            if reason:
                _stop(step, reason, now=now)
                counts["stopped"] += 1
                continue
        elif referral.status != ReferralStatus.OPEN:
            _stop(step, ENDED_WORDS[referral.status], now=now)
            counts["stopped"] += 1
            continue
        take_step(step, now=now, link_for=link_for)
        counts["taken"] += 1
        if step.way != DAY_BEFORE:
            _plan_next(step, rule, now=now)
    db.session.flush()
    return counts


def asked_for_more_help(profile: AttendeeProfile | None) -> bool:
    """Whether the person told us of a need someone should talk through before the day."""
    if profile is None:
        return False
    return bool(
        profile.needs_travel_help
        or profile.needs_childcare
        or profile.needs_bsl_interpreter
        or profile.interpreter_language.strip()
        or profile.other_needs.strip()
    )


def plan_day_before_calls(*, now: datetime) -> int:
    """A call task, due the morning before, for each booked person with a session tomorrow
    (UK time) who asked for more help and for whom no such call is planned yet."""
    today = working_days.local_day(now)
    tomorrow_starts = working_days.at_local(today + timedelta(days=1), 0)
    tomorrow_ends = tomorrow_starts + timedelta(days=1)
    rows = db.session.execute(
        select(Booking, AttendeeProfile)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .join(AttendeeProfile, AttendeeProfile.user_id == Booking.user_id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.referral_id.is_not(None),
            CourseSession.starts_at >= tomorrow_starts,
            CourseSession.starts_at < tomorrow_ends,
        )
    ).all()
    wanted = [(booking, profile) for booking, profile in rows if asked_for_more_help(profile)]
    if not wanted:
        return 0
    referral_ids = {booking.referral_id for booking, _ in wanted}
    already = set(
        db.session.scalars(
            select(ContactStep.referral_id).where(
                ContactStep.referral_id.in_(referral_ids),
                ContactStep.way == DAY_BEFORE,
                ContactStep.due_at >= working_days.at_local(today, 0),
            )
        )
    )
    numbers = dict(
        db.session.execute(
            select(ContactStep.referral_id, func.max(ContactStep.number))
            .where(ContactStep.referral_id.in_(referral_ids))
            .group_by(ContactStep.referral_id)
        ).all()
    )
    planned = 0
    for booking, profile in wanted:
        referral_id = booking.referral_id
        if referral_id is None or referral_id in already:
            continue
        db.session.add(
            ContactStep(
                referral_id=referral_id,
                number=(numbers.get(referral_id) or 0) + 1,
                way=DAY_BEFORE,
                status=StepStatus.PLANNED,
                due_at=max(now, morning_of(today, profile)),
                created_at=now,
            )
        )
        already.add(referral_id)
        planned += 1
    db.session.flush()
    return planned
