"""Needs are seen only by staff arranging the booking, one person at a time, and recorded."""

from sqlalchemy import select

from booking.models import AttendeeProfile, AuditEvent, Role, utcnow
from booking.services.bookings import seats as bookings
from tests import factories


def _booked_person_with_needs(db):
    session = factories.course_session()
    person = factories.user(Role.ATTENDEE, first_name="Dana")
    db.session.add(
        AttendeeProfile(
            user_id=person.id,
            prefers_women_only=True,
            needs_hearing_loop=True,
            interpreter_language="Polish",
            text_is_safe=True,
            phone_number="07700 900123",
        )
    )
    booking = bookings.book_session(session.id, person, now=utcnow())
    db.session.commit()
    return session, booking


def test_admin_sees_needs_and_safe_channels_and_the_look_is_recorded(client, auth, db):
    session, booking = _booked_person_with_needs(db)
    admin = auth.login_as(Role.ADMIN)
    listing = client.get(f"/admin/sessions/{session.id}").get_data(as_text=True)
    assert f"/admin/bookings/{booking.reference}/needs" in listing
    assert "Polish" not in listing  # the list itself shows no needs

    page = client.get(f"/admin/bookings/{booking.reference}/needs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "What Dana needs" in text
    assert "Hearing loop" in text and "Interpreter for Polish" in text
    assert "Text message. Use no other way." in text
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.viewed"))
    assert viewed.actor_id == admin.id and viewed.entity_id == booking.user_id


def test_nobody_else_sees_needs(client, auth, db):
    _, booking = _booked_person_with_needs(db)
    url = f"/admin/bookings/{booking.reference}/needs"
    assert client.get(url).status_code == 302
    for role in (Role.ATTENDEE, Role.TRAINER):
        auth.login_as(role)
        assert client.get(url).status_code == 403
        auth.logout()
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.viewed")) is None
    )


def test_unknown_booking_is_not_found(client, auth):
    auth.login_as(Role.ADMIN)
    assert client.get("/admin/bookings/NOPE2345/needs").status_code == 404
