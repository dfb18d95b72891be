"""Reminders 14, 7 and 3 days before the deadline, once each, for referrals not booked; an
extension starts them again for the new date."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.models import Notification, ReferralStatus
from booking.services.referrals import reminders
from tests import factories
from tests.referral_factories import make_email_safe, referral

pytestmark = pytest.mark.database

DEADLINE = date(2026, 6, 30)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


def _days_before(days: int) -> datetime:
    return _noon(DEADLINE - timedelta(days=days))


def _kinds(db) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).order_by(Notification.id)))


@pytest.fixture
def person_referral(db):
    person = factories.user()
    make_email_safe(person)
    row = referral(
        factories.force(),
        factories.course_type(),
        deadline=DEADLINE,
        user_id=person.id,
        referral_date=DEADLINE - timedelta(days=60),
    )
    return row


def test_reminders_go_at_14_7_and_3_days_once_each(db, person_referral):
    sent = []
    for days in (20, 14, 14, 13, 7, 6, 3, 3, 1, 0):
        sent.append(reminders.send_deadline_reminders(now=_days_before(days), choose_url="/r"))
    assert sent == [0, 1, 0, 0, 1, 0, 1, 0, 0, 0]
    assert _kinds(db) == ["referral_deadline"] * 3
    bodies = db.session.scalars(select(Notification.body).order_by(Notification.id)).all()
    assert "14 days left" in bodies[0] and "3 days left" in bodies[2]


def test_a_referral_made_late_gets_only_the_nearest_reminder(db, person_referral):
    assert reminders.send_deadline_reminders(now=_days_before(5), choose_url="/r") == 1
    assert person_referral.deadline_reminder_days == 7
    assert reminders.send_deadline_reminders(now=_days_before(4), choose_url="/r") == 0
    assert reminders.send_deadline_reminders(now=_days_before(3), choose_url="/r") == 1


def test_booked_and_closed_referrals_get_no_reminder(db, person_referral):
    person_referral.status = ReferralStatus.BOOKED
    assert reminders.send_deadline_reminders(now=_days_before(7), choose_url="/r") == 0
    person_referral.status = ReferralStatus.WITHDRAWN
    assert reminders.send_deadline_reminders(now=_days_before(3), choose_url="/r") == 0
    assert _kinds(db) == []


def test_an_extension_starts_the_reminders_again(db, person_referral):
    reminders.send_deadline_reminders(now=_days_before(3), choose_url="/r")
    reminders.extend_deadline(
        person_referral,
        new_deadline=DEADLINE + timedelta(days=30),
        agreed_by="Sgt Lane",
        agreed_on=DEADLINE - timedelta(days=3),
        by=None,
        now=_days_before(3),
    )
    assert person_referral.original_deadline == DEADLINE
    new_deadline = DEADLINE + timedelta(days=30)
    assert (
        reminders.send_deadline_reminders(
            now=_noon(new_deadline - timedelta(days=14)), choose_url="/r"
        )
        == 1
    )


def test_days_left_counts_to_the_deadline_day_and_stops_once_closed(db, person_referral):
    assert reminders.days_left(person_referral, today=DEADLINE - timedelta(days=9)) == 9
    assert reminders.days_left(person_referral, today=DEADLINE) == 0
    person_referral.status = ReferralStatus.COMPLETED
    assert reminders.days_left(person_referral, today=DEADLINE) is None
