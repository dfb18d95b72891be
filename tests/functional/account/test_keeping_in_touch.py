"""The booking page says what happened to our last message: sent, on its way, or waiting for
the person's safe hours (then when it will go), never "went" for a text that has not gone."""

from datetime import timedelta

import pytest

from booking.models import Notification, NotificationStatus, utcnow
from booking.services.notify import messages
from tests.integration.test_notify_channels import factories_booking, person_with

pytestmark = pytest.mark.database


def test_a_text_waiting_for_safe_hours_says_when_it_will_go(client, auth, db):
    person, profile = person_with(db, text_is_safe=True)
    profile.phone_number = "07700900123"
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="")
    row = db.session.query(Notification).filter_by(booking_id=booking.id).one()
    row.status = NotificationStatus.PENDING
    row.next_attempt_at = utcnow() + timedelta(hours=5)
    db.session.commit()
    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "went by text message" not in page
    assert "will go by text message at" in page
    assert "It has not gone yet." in page


def test_a_sent_message_says_it_went(client, auth, db):
    person, profile = person_with(db, text_is_safe=True)
    profile.phone_number = "07700900123"
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="")
    row = db.session.query(Notification).filter_by(booking_id=booking.id).one()
    row.status, row.sent_at = NotificationStatus.SENT, utcnow()
    db.session.commit()
    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "Our last message about this booking went by text message to your phone." in page
