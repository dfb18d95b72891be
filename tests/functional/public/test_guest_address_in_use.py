"""Booking without an account with an email address that already has one.

The person may simply have forgotten their account. They must get their confirmation and every
later message at the address they typed, and see the same pages as with a new address (so
nobody learns whether an address has an account); the existing account is never touched.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from booking.jobs import notifications as email_delivery
from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Booking,
    Channel,
    Notification,
    NotificationStatus,
    Role,
    User,
    utcnow,
)
from booking.services.notify import reminders
from booking.services.people import accounts
from tests import factories
from tests.integration.test_smtp_delivery import channels, free_port, start_server
from tests.referral_factories import make_email_safe

pytestmark = pytest.mark.database

TAKEN = "taken@example.org"


def _book_as_guest(client, session_id: int, email: str):
    """Book through the pages as a guest; the POST's answer and the page it leads to."""
    details = {"first_name": "Sam", "email": email, "email_is_safe": "y"}
    answer = client.post(f"/sessions/{session_id}/your-details", data=details)
    return answer, client.get(answer.headers["Location"]).get_data(as_text=True)


def _visible_text(page: str, reference: str, email: str) -> str:
    """The page, with what differs between any two people taken out: the booking reference,
    the address they typed and the form's one-off token."""
    page = re.sub(r'(name="csrf_token"[^>]*value=)"[^"]*"', r"\1", page)
    return page.replace(reference, "REFERENCE").replace(email, "ADDRESS")


def _guest_with(db, email: str) -> User:
    return db.session.scalar(
        select(User)
        .join(AttendeeProfile, AttendeeProfile.user_id == User.id)
        .where(AttendeeProfile.contact_email == email)
    )


def _owner(db) -> User:
    owner = factories.user(Role.ATTENDEE, email=TAKEN)
    make_email_safe(owner)
    db.session.commit()
    return owner


def test_the_page_is_the_same_and_the_confirmation_reaches_the_typed_address(client, db):
    owner = _owner(db)
    course_session = factories.course_session(capacity=10)
    db.session.commit()

    new_answer, new_page = _book_as_guest(client, course_session.id, "new@example.org")
    client.post("/exit")
    taken_answer, taken_page = _book_as_guest(client, course_session.id, TAKEN)

    guest = _guest_with(db, TAKEN)
    booking = db.session.scalar(select(Booking).where(Booking.user_id == guest.id))
    new_booking = db.session.scalar(
        select(Booking).join(User).where(User.email == "new@example.org")
    )
    # Nothing on the page tells whoever typed the address that it has an account.
    assert taken_answer.status_code == new_answer.status_code == 303
    assert taken_answer.headers["Location"] == f"/my/bookings/{booking.reference}"
    assert _visible_text(taken_page, booking.reference, TAKEN) == _visible_text(
        new_page, new_booking.reference, "new@example.org"
    )
    assert f"email to {TAKEN}" in taken_page
    assert "Email me a link to my booking" in taken_page

    (confirmation,) = db.session.scalars(
        select(Notification).where(
            Notification.user_id == guest.id, Notification.kind == "booking_confirmed"
        )
    ).all()
    assert confirmation.channel == Channel.EMAIL and confirmation.to_address == TAKEN

    # The existing account is untouched: no booking, same address, only a neutral notice.
    db.session.refresh(owner)
    assert owner.email == TAKEN and guest.id != owner.id
    assert db.session.scalar(select(Booking.id).where(Booking.user_id == owner.id)) is None
    (notice,) = db.session.scalars(select(Notification).where(Notification.user_id == owner.id))
    assert notice.kind == "account_exists" and notice.to_address == TAKEN
    assert "booked a place without signing in" in notice.body
    attempt = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.address_in_use_attempt", AuditEvent.entity_id == owner.id
        )
    )
    assert attempt is not None and attempt.detail["guest"] == guest.id

    # The SMTP sender really delivers the guest's messages to the address typed.
    port = free_port()
    controller, inbox = start_server(port)
    try:
        email_delivery.send_pending(now=utcnow(), channels=channels(port))
    finally:
        controller.stop()
    received = {(message["To"], message["Subject"]) for message in inbox.messages}
    assert (TAKEN, "Your booking is confirmed") in received
    assert (TAKEN, "Your link to manage your booking") in received
    (confirmed,) = [
        message
        for message in inbox.messages
        if message["To"] == TAKEN and message["Subject"] == "Your booking is confirmed"
    ]
    assert booking.reference in confirmed.get_body(("plain",)).get_content()
    db.session.refresh(confirmation)
    assert confirmation.status == NotificationStatus.SENT


def test_a_reminder_and_a_sign_in_link_later_go_to_the_typed_address(client, db):
    _owner(db)
    tomorrow = factories.course_session(starts_at=utcnow().replace(microsecond=0) + timedelta(1))
    db.session.commit()
    _book_as_guest(client, tomorrow.id, TAKEN)
    guest = _guest_with(db, TAKEN)

    assert reminders.send_reminders(now=utcnow(), base_url="http://test") == 1
    db.session.commit()
    asked = client.post("/referral/send-link")
    assert asked.status_code == 303

    later = db.session.scalars(
        select(Notification)
        .where(
            Notification.user_id == guest.id,
            Notification.kind.in_(["booking_reminder", "access_link"]),
        )
        .order_by(Notification.id)
    ).all()
    # One link when booking, the reminder, then the link asked for from the booking page.
    assert [row.kind for row in later] == ["access_link", "booking_reminder", "access_link"]
    assert {(row.channel, row.to_address) for row in later} == {(Channel.EMAIL, TAKEN)}


def test_staff_see_and_find_the_address_the_guest_gave(client, auth, db):
    _owner(db)
    course_session = factories.course_session()
    db.session.commit()
    _book_as_guest(client, course_session.id, TAKEN)
    client.post("/exit")
    guest = _guest_with(db, TAKEN)
    auth.login_as(Role.SCHEDULER)

    page = client.get(f"/admin/people/{guest.id}").get_data(as_text=True)
    assert f"<dd>{TAKEN} (given when booking without signing in" in page
    assert ".invalid" not in page  # the placeholder is never shown
    found = client.get("/admin/people/", query_string={"q": TAKEN}).get_data(as_text=True)
    assert f'href="/admin/people/{guest.id}"' in found


def test_choosing_an_address_of_their_own_forgets_the_one_typed(client, db):
    _owner(db)
    course_session = factories.course_session()
    db.session.commit()
    _book_as_guest(client, course_session.id, TAKEN)
    guest = _guest_with(db, TAKEN)

    accounts.change_credentials(
        guest,
        email="sam@example.org",
        new_password="a long enough password",
        current_password="",
        recently_signed_in_by_link=False,
        email_is_safe=True,
        now=utcnow(),
    )
    db.session.commit()
    profile = db.session.scalar(select(AttendeeProfile).where(AttendeeProfile.user_id == guest.id))
    assert guest.email == "sam@example.org" and profile.contact_email is None


class CheckoutRecorder:
    """Stands in for Stripe Checkout: keeps what it was asked, answers with a page to go to."""

    def __init__(self):
        self.asked: list[dict] = []

    def create_checkout_session(self, **asked):
        self.asked.append(asked)
        return SimpleNamespace(id="cs_test_guest", url="https://checkout.example.org/cs_test")


def test_a_card_receipt_goes_to_the_typed_address_not_the_placeholder(client, db, monkeypatch):
    _owner(db)
    fee = factories.course_session(course_type_row=factories.course_type(default_fee_pence=3000))
    db.session.commit()
    answer, _ = _book_as_guest(client, fee.id, TAKEN)
    stripe = CheckoutRecorder()
    monkeypatch.setattr("booking.account.payments.routes.gateway_from_config", lambda c: stripe)

    paying = client.post(answer.headers["Location"] + "/pay")

    assert paying.headers["Location"] == "https://checkout.example.org/cs_test"
    assert [asked["customer_email"] for asked in stripe.asked] == [TAKEN]
