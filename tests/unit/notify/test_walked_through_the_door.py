"""Walking people through the door: the day-before "Reply 1 or 2" text and the morning-of text,
each once per booking, only to people who said texts are safe, and only inside safe hours."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.models import Channel, Notification
from booking.services.bookings import seats
from booking.services.notify import reminders
from tests import factories
from tests.integration.test_notify_channels import person_with

pytestmark = pytest.mark.database

# Wednesday 9 December 2026, 2pm in London (GMT, so also 14:00 UTC).
SESSION_START = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)


def _booked(db, **safe):
    person, _ = person_with(db, hours=(9, 20), **safe)
    course_session = factories.course_session(starts_at=SESSION_START)
    return seats.book_session(course_session.id, person, now=SESSION_START - timedelta(days=5))


def _rows(db, kind):
    return db.session.query(Notification).filter_by(kind=kind).all()


def test_the_day_before_text_asks_reply_1_or_2_once_inside_safe_hours(db):
    booking = _booked(db, text_is_safe=True)
    tuesday = SESSION_START - timedelta(days=1)

    two_days_before = tuesday - timedelta(days=1)
    assert reminders.send_day_texts(now=two_days_before, base_url="")["attendance_check"] == 0
    late_evening = tuesday.replace(hour=21)
    assert reminders.send_day_texts(now=late_evening, base_url="")["attendance_check"] == 0
    morning = tuesday.replace(hour=10)
    assert reminders.send_day_texts(now=morning, base_url="")["attendance_check"] == 1
    assert reminders.send_day_texts(now=morning, base_url="")["attendance_check"] == 0

    (check,) = _rows(db, "attendance_check")
    assert check.channel == Channel.TEXT and check.booking_id == booking.id
    assert check.next_attempt_at == morning  # goes at once, not held to the day itself
    assert "Reply 1 if you are still coming, 2 if you need to change" in check.body
    assert "Wed 9 Dec 2:00pm" in check.body


def test_the_morning_text_has_the_place_and_a_number_to_call(db):
    booking = _booked(db, text_is_safe=True)
    too_early = SESSION_START.replace(hour=6)
    assert reminders.send_day_texts(now=too_early, base_url="")["booking_reminder_today"] == 0
    morning = SESSION_START.replace(hour=9, minute=30)
    assert reminders.send_day_texts(now=morning, base_url="")["booking_reminder_today"] == 1
    assert reminders.send_day_texts(now=morning, base_url="")["booking_reminder_today"] == 0

    (today,) = _rows(db, "booking_reminder_today")
    venue = booking.session.venue
    assert venue.name in today.body and venue.postcode in today.body
    assert "call 0808 157 0192" in today.body


def test_people_who_did_not_say_texts_are_safe_get_neither_text(db):
    _booked(db, email_is_safe=True)
    reminders.send_day_texts(now=(SESSION_START - timedelta(days=1)).replace(hour=10), base_url="")
    reminders.send_day_texts(now=SESSION_START.replace(hour=10), base_url="")
    assert db.session.query(Notification).count() == 0
