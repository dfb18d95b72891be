"""A place booked from the catalogue is confirmed by a calm message with a calendar file."""

from booking.models import AttendeeProfile, Notification, NotificationStatus, Role
from tests import factories


def _attendee(db, *, email_is_safe: bool):
    person = factories.user(Role.ATTENDEE)
    db.session.add(
        AttendeeProfile(user_id=person.id, email_is_safe=email_is_safe, prefers_women_only=False)
    )
    return person


def test_a_free_booking_queues_a_confirmation_with_a_calendar_file(client, auth, db):
    course_session = factories.course_session()
    person = _attendee(db, email_is_safe=True)
    auth.login_as(user=person)

    response = client.post(f"/my/sessions/{course_session.id}/book")

    assert response.status_code == 303
    message = db.session.query(Notification).filter_by(user_id=person.id).one()
    assert message.kind == "booking_confirmed"
    assert message.subject == "Your booking is confirmed"
    assert "BEGIN:VCALENDAR" in (message.ics_attachment or "")


def test_no_confirmation_email_when_email_is_not_safe(client, auth, db):
    course_session = factories.course_session()
    person = _attendee(db, email_is_safe=False)
    auth.login_as(user=person)

    response = client.post(f"/my/sessions/{course_session.id}/book")

    assert response.status_code == 303
    assert (
        db.session.query(Notification)
        .filter(Notification.status != NotificationStatus.WITHHELD)
        .filter_by(user_id=person.id)
        .count()
        == 0
    )
