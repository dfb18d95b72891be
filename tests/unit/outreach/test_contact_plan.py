"""The contact plan: a first contact within one working day on the person's safe channels and
inside their safe hours, then the charity's rule, stopped the moment they book or the referral
ends."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.models import (
    AttendeeProfile,
    Channel,
    ContactStep,
    Notification,
    ReferralStatus,
    StepStatus,
)
from booking.services.bookings import seats
from booking.services.clock import LONDON
from booking.services.outreach import plan
from booking.services.referrals import admin, force_access
from booking.services.referrals import states as referral_states
from tests import factories

pytestmark = pytest.mark.database

# Friday 23 May 2031, 4pm in London (BST): the Monday after is the spring bank holiday.
FRIDAY_4PM = datetime(2031, 5, 23, 15, 0, tzinfo=UTC)
TUESDAY = datetime(2031, 5, 27, tzinfo=UTC).date()
RULE = plan.parse_rule("2 text, 5 call, 9 letter")


def _link(person) -> str:
    return f"https://waypoint.example/referral/link/token-for-{person.id}"


def _by_api(now=FRIDAY_4PM, reference="AB/1/31"):
    """A referral as the force's API makes it (the same service, with the clock given)."""
    force = factories.force()
    course = factories.course_type()
    values = {
        "police_reference": reference,
        "first_name": "Sam",
        "last_name": "Taylor",
        "date_of_birth": "1990-04-01",
        "email": "sam@example.org",
        "phone": "07700 900123",
        "course_type": course.slug,
        "referral_date": now.astimezone(LONDON).date().isoformat(),
    }
    return force_access.create(force, values, idempotency_key=None, by=None, now=now).referral


def _run_every_quarter_hour(start: datetime, until: datetime) -> list[datetime]:
    """Run the plan's job as the worker would, every 15 minutes; when each step was taken."""
    taken = []
    moment = start
    while moment <= until:
        if plan.run_due_steps(now=moment, rule=RULE, link_for=_link)["taken"]:
            taken.append(moment)
        moment += timedelta(minutes=15)
    return taken


def _messages():
    return list(
        plan.db.session.scalars(
            select(Notification)
            .where(Notification.kind.like("contact_%"))
            .order_by(Notification.id)
        )
    )


def test_api_referral_on_friday_before_a_bank_holiday_is_first_contacted_on_tuesday_morning(db):
    referral = _by_api()
    (step,) = db.session.scalars(select(ContactStep)).all()
    assert step.status == StepStatus.PLANNED  # started the moment it arrived

    taken = _run_every_quarter_hour(FRIDAY_4PM, datetime(2031, 5, 27, 12, 0, tzinfo=UTC))

    tuesday_9am = datetime(2031, 5, 27, 8, 0, tzinfo=UTC)  # 9am BST
    assert taken == [tuesday_9am]
    (call,) = _messages()
    # Nothing but the force's phone number is known: a call task for staff, on the list at
    # 9am on Tuesday, inside the default safe hours.
    assert call.channel == Channel.CALL
    assert call.to_address == "07700 900123"
    assert call.next_attempt_at == tuesday_9am
    assert referral.user_id is not None  # the account the link will open was made
    assert "Waypoint" in call.body and "police" not in call.body.lower()


def test_a_person_who_said_texts_are_safe_gets_a_text_with_their_link_inside_safe_hours(db):
    referral = _by_api()
    person = plan.attendee_for_referral(referral, now=FRIDAY_4PM)
    profile = db.session.scalars(
        select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
    ).one()
    profile.text_is_safe = True
    profile.phone_number = "07700 900123"
    profile.safe_from_hour, profile.safe_until_hour = 11, 20
    db.session.flush()

    _run_every_quarter_hour(FRIDAY_4PM, datetime(2031, 5, 27, 12, 0, tzinfo=UTC))

    (text,) = _messages()
    assert text.channel == Channel.TEXT
    assert text.next_attempt_at.astimezone(LONDON).date() == TUESDAY
    assert text.next_attempt_at.astimezone(LONDON).hour == 11  # their safe hours, not 9am
    assert f"token-for-{person.id}" in text.body


def test_later_steps_follow_the_rule_on_safe_channels_only(db):
    referral = _by_api()
    person = plan.attendee_for_referral(referral, now=FRIDAY_4PM)
    profile = db.session.scalars(
        select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
    ).one()
    # Letters are safe, texts and calls are not: every step goes by letter.
    profile.post_is_safe = True
    profile.postal_address = "1 Quiet Road, Leeds"
    db.session.flush()

    _run_every_quarter_hour(FRIDAY_4PM, datetime(2031, 6, 10, 12, 0, tzinfo=UTC))

    sent = _messages()
    assert [row.channel for row in sent] == [Channel.LETTER] * 4
    steps = db.session.scalars(select(ContactStep).order_by(ContactStep.number)).all()
    days = [step.done_at.astimezone(LONDON).date() for step in steps]
    # Working days after Friday 23 May, the bank holiday skipped: 1 Tue 27, 2 Wed 28,
    # 5 Mon 2 June, 9 Fri 6 June.
    assert [day.isoformat() for day in days] == [
        "2031-05-27",
        "2031-05-28",
        "2031-06-02",
        "2031-06-06",
    ]
    assert "safe way" in steps[1].note  # a text was planned; a letter was the safe way


def test_the_plan_stops_the_moment_they_book(db):
    referral = _by_api()
    _run_every_quarter_hour(FRIDAY_4PM, datetime(2031, 5, 27, 12, 0, tzinfo=UTC))
    referral_states.transition(
        referral, ReferralStatus.BOOKED, by=None, now=datetime(2031, 5, 27, 13, tzinfo=UTC)
    )

    taken = _run_every_quarter_hour(
        datetime(2031, 5, 27, 13, 0, tzinfo=UTC), datetime(2031, 6, 20, tzinfo=UTC)
    )

    assert taken == []
    assert len(_messages()) == 1
    stopped = db.session.scalars(
        select(ContactStep).where(ContactStep.status == StepStatus.STOPPED)
    ).one()
    assert stopped.note == "They booked."


def test_a_rule_that_does_not_read_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="not like"):
        plan.parse_rule("2 pigeon")
    with pytest.raises(ValueError, match="later working day"):
        plan.parse_rule("5 call, 3 text")
    assert plan.parse_rule("2 text, 5 call") == (
        plan.RuleStep(2, "text"),
        plan.RuleStep(5, "call"),
    )


def test_a_csv_import_starts_a_plan_for_every_row(db):
    force = factories.force()
    course = factories.course_type()
    header = "police_reference,first_name,last_name,date_of_birth,email,phone,disposal_type,"
    header += "course_type,referral_date\n"
    rows = "".join(
        f"CSV/{n},Alex,Lee,1991-02-0{n},,0770090000{n},,{course.slug},2031-05-23\n" for n in (1, 2)
    )
    admin.import_csv(force, header + rows, by=None, now=FRIDAY_4PM)
    steps = db.session.scalars(select(ContactStep)).all()
    assert len(steps) == 2
    assert {step.due_at for step in steps} == {datetime(2031, 5, 27, 8, 0, tzinfo=UTC)}


def test_a_person_who_asked_for_help_gets_a_call_the_day_before_their_session(db):
    referral = _by_api()
    person = plan.attendee_for_referral(referral, now=FRIDAY_4PM)
    profile = db.session.scalars(
        select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
    ).one()
    profile.needs_travel_help = True
    profile.phone_is_safe = True
    profile.phone_number = "07700 900123"
    course_session = factories.course_session(
        course_type_row=referral.course_type,
        venue_row=factories.venue(referral.force),
        starts_at=datetime(2031, 6, 4, 9, 0, tzinfo=UTC),
    )
    seats.place_booking(course_session.id, person, now=FRIDAY_4PM, referral=referral)
    monday = datetime(2031, 6, 2, 7, 0, tzinfo=UTC)
    assert plan.plan_day_before_calls(now=monday) == 0  # two days before: not yet

    tuesday = datetime(2031, 6, 3, 7, 0, tzinfo=UTC)
    assert plan.plan_day_before_calls(now=tuesday) == 1
    assert plan.plan_day_before_calls(now=tuesday) == 0  # once
    plan.run_due_steps(now=datetime(2031, 6, 3, 8, 0, tzinfo=UTC), rule=RULE, link_for=_link)
    calls = [row for row in _messages() if row.kind == "contact_day_before"]
    assert [call.channel for call in calls] == [Channel.CALL]
