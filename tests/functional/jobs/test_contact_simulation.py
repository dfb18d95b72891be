"""Proof by simulation: 200 referrals across several forces through simulated weeks, with the
worker's jobs on a fake clock. Every referral gets a first contact within one working day; no
message goes on an unsafe channel or outside safe hours; the funnel's figures equal a count
from the raw tables. Completion by the deadline is printed, with the plan and with the
14/7/3-day reminders alone."""

import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import (
    Booking,
    Channel,
    ContactStep,
    Notification,
    NotificationStatus,
    Referral,
    ReferralStatus,
    User,
)
from booking.services import working_days
from booking.services.clock import LONDON
from booking.services.notify import channels as contact
from booking.services.outreach import funnel
from tests import contact_simulation as simulation

# Several simulated weeks of 200 people, twice (about 40 s of CPU, minutes on a busy shared
# machine): run with WAYPOINT_SIMULATION=1 (make simulation, which .ci/run does).
pytestmark = [
    pytest.mark.database,
    pytest.mark.skipif(
        os.environ.get("WAYPOINT_SIMULATION") != "1",
        reason="the contact simulation runs with WAYPOINT_SIMULATION=1 (make simulation)",
    ),
]

COUNT = 200
FORCES = 4


@pytest.fixture(autouse=True)
def quick_unusable_passwords(monkeypatch):
    """Each referral's account gets a password nobody knows; hashing 200 of them (scrypt) would
    be most of the run, and no test here signs in."""

    def unusable(person: User) -> None:
        person.password_hash = "!unusable"
        person.password_chosen = False

    monkeypatch.setattr(User, "set_unusable_password", unusable)


def _first_contact_within_one_working_day(db) -> list[str]:
    late = []
    referrals = db.session.scalars(select(Referral)).all()
    firsts = {
        step.referral_id: step
        for step in db.session.scalars(select(ContactStep).where(ContactStep.number == 1))
    }
    for referral in referrals:
        step = firsts.get(referral.id)
        if step is None or step.notification is None:
            late.append(f"{referral.police_reference}: no first contact")
            continue
        arrived = referral.created_at.astimezone(LONDON).date()
        by = working_days.next_working_day(arrived)
        message = step.notification
        # A written message: when it went; a call: when it joined the staff list.
        first = message.sent_at if message.channel != Channel.CALL else message.created_at
        goes = (first or message.next_attempt_at).astimezone(LONDON).date()
        if goes > by:
            late.append(f"{referral.police_reference}: arrived {arrived}, contact {goes}")
    return late


def _unsafe(db, calls) -> list[str]:
    """Every message to a person on a channel they said is safe (a call when nothing is
    known), and every text or call inside their safe hours."""
    wrong = []
    call_times = dict(calls)
    rows = db.session.scalars(
        select(Notification).where(
            Notification.status.in_([NotificationStatus.SENT, NotificationStatus.DELIVERED])
        )
    ).all()
    for row in rows:
        person = db.session.get(User, row.user_id)
        safe = [channel for channel, _ in contact.safe_channels(person)]
        if row.channel not in safe and not (row.channel == Channel.CALL and not safe):
            wrong.append(f"{row.id} {row.kind} by {row.channel} (safe: {safe})")
        when = call_times.get(row.id, row.sent_at)
        if row.channel in contact.TIMED_CHANNELS:
            start, end = contact.safe_hours(contact.profile_for(person))
            if not start <= when.astimezone(LONDON).hour < end:
                wrong.append(f"{row.id} {row.kind} at {when} outside {start}-{end}")
    for call_id, when in calls:  # calls with no answer too
        call = db.session.get(Notification, call_id)
        person = db.session.get(User, call.user_id)
        if not contact.within_safe_hours(person, Channel.CALL, when):
            wrong.append(f"call {call_id} at {when}")
    return wrong


def _raw_counts(db) -> dict[str, int]:
    referrals = db.session.scalars(select(Referral)).all()
    reached = set()
    for step in db.session.scalars(select(ContactStep)).all():
        if step.notification is not None and step.notification.status in (
            NotificationStatus.SENT,
            NotificationStatus.DELIVERED,
        ):
            reached.add(step.referral_id)
    booked, attended = set(), set()
    for booking in db.session.scalars(select(Booking)).all():
        if booking.confirmed_at is not None:
            booked.add(booking.referral_id)
        if booking.status.value == "attended":
            attended.add(booking.referral_id)
    completed = {row.id for row in referrals if row.status == ReferralStatus.COMPLETED}
    return {
        "referred": len(referrals),
        "contacted": len(reached | booked),
        "booked": len(booked),
        "attended": len(attended | completed),
        "completed": len(completed),
    }


def _booking_states(db) -> dict[str, int]:
    states: dict[str, int] = {}
    for booking in db.session.scalars(select(Booking)):
        states[booking.status.value] = states.get(booking.status.value, 0) + 1
    return states


def _funnel_totals():
    start = simulation.START.date() - timedelta(days=1)
    end = start + timedelta(days=simulation.SIMULATED_DAYS + 2)
    return funnel.totals(funnel.funnel(start, end))


def test_two_hundred_referrals_through_simulated_weeks_with_the_contact_plan(app, db, capsys):
    result = simulation.run(count=COUNT, forces=FORCES, with_plan=True)

    assert _first_contact_within_one_working_day(db) == []
    assert _unsafe(db, result.calls_made) == []
    total = _funnel_totals()
    assert total.counts == _raw_counts(db)
    assert total.counts["referred"] == COUNT
    print(
        f"\nWith the contact plan: {result.completed_by_deadline}/{COUNT} completed by the "
        f"deadline; funnel {total.counts}; median days to first contact "
        f"{total.median_days_to_contact}, to booking {total.median_days_to_booking}; "
        f"{len(result.calls_made)} calls made; bookings {_booking_states(db)}"
        f" refusals {simulation.REFUSALS}"
    )


def test_the_same_people_with_reminders_alone_complete_less_often(app, db, capsys):
    result = simulation.run(count=COUNT, forces=FORCES, with_plan=False)
    total = _funnel_totals()
    assert total.counts == _raw_counts(db)
    print(
        f"\nReminders alone: {result.completed_by_deadline}/{COUNT} completed by the deadline;"
        f" funnel {total.counts}"
    )
