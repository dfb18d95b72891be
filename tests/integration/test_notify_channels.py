"""Reaching people on the channels they said are safe, through a local fake GOV.UK Notify.

Tried as a new user would: a person who marked only texts as safe books and the fake Notify
receives a text to their number with the date, time and place and no sensitive word; a
letter-only person's confirmation becomes a letter request; a call-only person's becomes a
staff call task; a permanent failure moves to the next safe channel; nothing is sent outside
the person's safe times.
"""

from datetime import UTC, datetime, timedelta

import pytest

from booking.jobs import notifications as sender
from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Channel,
    Notification,
    NotificationStatus,
    Role,
    utcnow,
)
from booking.services.clock import long_date, time_of_day
from booking.services.notify import messages
from tests import factories, trainer_factories

pytestmark = pytest.mark.database

NEVER_SHOWN = ["drug", "alcohol", "police", "offence", "offender", "diversion", "caution"]
CALLBACK = {"Authorization": "Bearer notify-callback-test-only"}


def _sensitive(text: str) -> list[str]:
    return [word for word in NEVER_SHOWN if word in text.lower()]


def person_with(db, *, order="", hours=(0, 24), **safe) -> tuple:
    """An attendee whose profile marks ``safe`` channels (e.g. text_is_safe=True)."""
    person = factories.user(Role.ATTENDEE, first_name="Samantha")
    profile = AttendeeProfile(
        user_id=person.id,
        preferred_name="Sam",
        phone_number="07700 900123",
        postal_address="12 Quiet Road, Leeds, LS1 4AB",
        contact_order=order,
        safe_from_hour=hours[0],
        safe_until_hour=hours[1],
        prefers_women_only=False,
        **safe,
    )
    db.session.add(profile)
    db.session.flush()
    return person, profile


def _session(db):
    drugs = factories.course_type(name="Drug awareness")
    return factories.course_session(
        course_type_row=drugs,
        venue_row=factories.venue(name="Riverside Centre", postcode="LS2 7EY"),
    )


def _send(app, now=None):
    return sender.send_pending(now=now or utcnow(), channels=sender.default_channels(app.config))


def test_a_text_only_person_books_and_notify_receives_a_neutral_text(
    app, client, auth, db, fake_notify
):
    person, _ = person_with(db, text_is_safe=True)
    course_session = _session(db)
    auth.login_as(user=person)

    booked = client.post(f"/my/sessions/{course_session.id}/book")
    assert booked.status_code == 303
    assert _send(app)["sent"] == 1

    (text,) = fake_notify.of_type("sms")
    assert text["json"]["phone_number"] == "07700 900123"
    body = text["json"]["personalisation"]["body"]
    assert body.startswith("Hello Sam,")
    assert time_of_day(course_session.starts_at) in body
    assert "Riverside Centre" in body and "LS2 7EY" in body
    assert _sensitive(body) == []
    row = db.session.query(Notification).filter_by(user_id=person.id).one()
    assert row.channel == Channel.TEXT and row.status == NotificationStatus.SENT
    assert row.provider_id == text["id"]
    assert fake_notify.of_type("email") == []


def test_a_letter_only_persons_confirmation_becomes_a_letter_request(app, db, fake_notify):
    person, _ = person_with(db, post_is_safe=True)
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="https://book.example.org")
    db.session.commit()
    assert _send(app)["sent"] == 1

    (letter,) = fake_notify.of_type("letter")
    lines = letter["json"]["personalisation"]
    assert lines["address_line_1"] == "Sam Example"
    assert lines["address_line_2"] == "12 Quiet Road"
    assert lines["address_line_4"] == "LS1 4AB"
    envelope = " ".join(value for key, value in lines.items() if key.startswith("address_line"))
    assert _sensitive(envelope) == []
    assert lines["body"].startswith("Dear Sam,")
    assert long_date(booking.session.starts_at) in lines["body"]
    assert "Riverside Centre" in lines["body"]
    assert "attached" not in lines["body"]


def factories_booking(db, person):
    from booking.services.bookings import seats

    return seats.book_session(_session(db).id, person, now=utcnow())


def test_a_call_only_persons_confirmation_is_a_staff_call_task(app, client, auth, db):
    person, _ = person_with(db, phone_is_safe=True)
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="https://book.example.org")
    db.session.commit()
    assert _send(app)["sent"] == 0  # a call is never sent by a machine

    auth.login_as(Role.ADMIN)
    page = client.get("/admin/contact/calls").get_data(as_text=True)
    assert "Sam" in page and "07700 900123" in page
    assert "between midnight and midnight" in page or "(UK time)" in page
    assert "do not leave a voicemail" in page
    assert _sensitive(page.split("<h1>Calls to make</h1>")[1].split("</form>")[0]) == []

    call = db.session.query(Notification).filter_by(channel=Channel.CALL).one()
    answered = client.post(f"/admin/contact/calls/{call.id}", data={"spoke": "Spoke to them"})
    assert answered.status_code == 303
    db.session.refresh(call)
    assert call.status == NotificationStatus.DELIVERED and call.call_outcome == "spoke"
    assert db.session.query(AuditEvent).filter_by(action="notification.call").count() == 1
    assert "No calls to make" in client.get("/admin/contact/calls").get_data(as_text=True)


def test_notify_refusing_a_number_moves_the_message_to_the_next_safe_channel(app, db, fake_notify):
    person, _ = person_with(db, text_is_safe=True, post_is_safe=True, order="text,letter")
    fake_notify.refused_numbers.add("07700900123")
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="")
    db.session.commit()

    counts = _send(app)
    assert counts["moved_on"] == 1 and counts["sent"] == 1
    assert fake_notify.of_type("sms") == []
    assert len(fake_notify.of_type("letter")) == 1
    text, letter = db.session.query(Notification).order_by(Notification.id).all()
    assert text.status == NotificationStatus.FAILED and "Not a UK mobile" in text.last_error
    assert text.followed_by_id == letter.id and letter.channel == Channel.LETTER


def test_a_permanent_failure_receipt_moves_on_and_a_temporary_one_is_retried(
    app, client, db, fake_notify
):
    person, _ = person_with(db, text_is_safe=True, phone_is_safe=True)
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="")
    messages.booking_reminder(booking, now=utcnow(), base_url="")
    db.session.commit()
    assert _send(app)["sent"] == 2
    first, second = fake_notify.of_type("sms")

    refused = client.post("/webhooks/notify", json={"id": first["id"], "status": "delivered"})
    assert refused.status_code == 401  # no bearer token: nothing changes
    failed = client.post(
        "/webhooks/notify",
        json={"id": first["id"], "status": "permanent-failure"},
        headers=CALLBACK,
    )
    assert failed.status_code == 200
    again = client.post(
        "/webhooks/notify",
        json={"id": second["id"], "status": "temporary-failure"},
        headers=CALLBACK,
    )
    assert again.status_code == 200

    rows = {row.provider_id: row for row in db.session.query(Notification)}
    assert rows[first["id"]].status == NotificationStatus.FAILED
    call = db.session.get(Notification, rows[first["id"]].followed_by_id)
    assert call.channel == Channel.CALL and call.status == NotificationStatus.PENDING
    retried = rows[second["id"]]
    assert retried.status == NotificationStatus.PENDING and retried.next_attempt_at > utcnow()


def test_nothing_is_texted_outside_safe_times(app, db, fake_notify):
    person, _ = person_with(db, text_is_safe=True, hours=(9, 20))
    booking = factories_booking(db, person)
    late = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)  # 10:30pm in London (GMT)
    messages.booking_confirmed(booking, now=late, base_url="")
    db.session.commit()

    assert _send(app, late)["sent"] == 0
    assert _send(app, late + timedelta(hours=10))["sent"] == 0  # 8:30am
    assert fake_notify.of_type("sms") == []
    assert _send(app, late + timedelta(hours=10, minutes=30))["sent"] == 1  # 9am
    assert len(fake_notify.of_type("sms")) == 1


def test_the_rate_limit_is_retried_with_back_off(app, db, fake_notify):
    person, _ = person_with(db, text_is_safe=True)
    fake_notify.rate_limit = 0
    booking = factories_booking(db, person)
    now = utcnow()
    messages.booking_confirmed(booking, now=now, base_url="")
    db.session.commit()

    assert _send(app, now) == {"sent": 0, "retrying": 1, "moved_on": 0}
    row = db.session.query(Notification).one()
    assert "429" in row.last_error and row.next_attempt_at == now + timedelta(minutes=1)
    fake_notify.rate_limit = None
    assert _send(app, now + timedelta(minutes=1))["sent"] == 1


def test_a_wrong_api_key_is_refused_by_notify_and_kept_for_later(app, db, fake_notify):
    person, _ = person_with(db, text_is_safe=True)
    app.config["NOTIFY_API_KEY"] = "waypoint_test-" + "0" * 36 + "-" + "1" * 36
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="")
    db.session.commit()

    assert _send(app)["retrying"] == 1
    row = db.session.query(Notification).one()
    assert row.status == NotificationStatus.PENDING and "403" in row.last_error
    assert fake_notify.received == []


def test_replies_show_on_the_roster_and_a_change_becomes_a_call_task(app, client, auth, db):
    from booking.services.notify import reminders

    person, _ = person_with(db, text_is_safe=True, email_is_safe=True)
    other, _ = person_with(db, text_is_safe=True)
    db.session.get(AttendeeProfile, _.id).phone_number = "07700 900456"
    tomorrow = utcnow().replace(microsecond=0) + timedelta(days=1)
    course_session = factories.course_session(starts_at=tomorrow)
    from booking.services.bookings import seats

    coming = seats.book_session(course_session.id, person, now=utcnow())
    changing = seats.book_session(course_session.id, other, now=utcnow())
    counts = reminders.send_day_texts(now=tomorrow - timedelta(days=1), base_url="")
    assert counts["attendance_check"] == 2
    check = db.session.query(Notification).filter_by(kind="attendance_check").first()
    assert "Reply 1 if you are still coming, 2 if you need to change" in check.body
    db.session.commit()

    for number, message, reply_id in (("+447700900123", "1", "r1"), ("447700900456", "2 ", "r2")):
        answer = client.post(
            "/webhooks/notify/inbound",
            json={"id": reply_id, "source_number": number, "message": message},
            headers=CALLBACK,
        )
        assert answer.status_code == 200

    call = db.session.query(Notification).filter_by(kind="change_requested").one()
    assert call.channel == Channel.CALL and call.booking_id == changing.id
    assert changing.reference in call.body

    profile = trainer_factories.trainer_profile()
    trainer_factories.assign(course_session, profile)
    db.session.commit()
    auth.login_as(user=profile.user)
    roster = client.get(f"/trainer/sessions/{course_session.id}").get_data(as_text=True)
    assert roster.count("said they are coming") == 1
    assert roster.count("said they need to change") == 1
    assert coming.id != changing.id

    auth.logout()
    auth.login_as(Role.ADMIN)
    calls = client.get("/admin/contact/calls").get_data(as_text=True)
    assert "Said they need to change their booking" in calls


def test_email_goes_through_notify_when_its_template_is_set(app, db, fake_notify):
    from tests.fakes import notify

    app.config["NOTIFY_EMAIL_TEMPLATE_ID"] = notify.EMAIL_TEMPLATE_ID
    person, _ = person_with(db, email_is_safe=True)
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="")
    db.session.commit()
    assert _send(app)["sent"] == 1

    (email,) = fake_notify.of_type("email")
    assert email["json"]["email_address"] == person.email
    assert email["json"]["personalisation"]["subject"] == "Your booking is confirmed"
    assert email["json"]["personalisation"]["body"].startswith("Hello Sam,")
