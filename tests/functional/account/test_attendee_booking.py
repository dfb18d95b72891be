"""A person books, sees and cancels their own bookings through the pages; never another's."""

from datetime import timedelta

from booking.models import Booking, BookingStatus, Role, utcnow
from booking.services.bookings import seats as bookings
from tests import factories


def test_book_see_and_cancel_through_the_pages(client, auth, db):
    course_session = factories.course_session(capacity=2)
    person = auth.login_as(Role.ATTENDEE)
    page = client.get(f"/my/sessions/{course_session.id}/book")
    assert page.status_code == 200
    response = client.post(f"/my/sessions/{course_session.id}/book")
    assert response.status_code == 303
    booking = db.session.query(Booking).filter_by(user_id=person.id).one()
    assert response.headers["Location"] == f"/my/bookings/{booking.reference}"
    assert booking.status == BookingStatus.CONFIRMED
    listing = client.get("/my/bookings").get_data(as_text=True)
    assert course_session.course_type.name in listing
    detail = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "Your place is booked" in detail
    response = client.post(f"/my/bookings/{booking.reference}/cancel")
    assert response.status_code == 303
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    followed = client.get("/my/bookings").get_data(as_text=True)
    assert 'status--cancelled">Cancelled<' in followed


def test_booking_twice_gives_the_already_booked_message(client, auth, db):
    course_session = factories.course_session()
    auth.login_as(Role.ATTENDEE)
    client.post(f"/my/sessions/{course_session.id}/book")
    response = client.post(f"/my/sessions/{course_session.id}/book", follow_redirects=True)
    assert response.status_code == 409
    assert "You already have a place on this session." in response.get_data(as_text=True)
    assert db.session.query(Booking).count() == 1


def test_booking_a_started_session_is_refused_calmly(client, auth, db):
    started = factories.course_session(starts_at=utcnow() - timedelta(minutes=1))
    auth.login_as(Role.ATTENDEE)
    response = client.post(f"/my/sessions/{started.id}/book")
    assert response.status_code == 409
    assert "already started" in response.get_data(as_text=True)
    assert db.session.query(Booking).count() == 0


def test_another_persons_booking_is_a_404_to_see_and_to_cancel(client, auth, db):
    course_session = factories.course_session()
    owner = factories.user()
    booking = bookings.book_session(course_session.id, owner, now=utcnow())
    auth.login_as(Role.ATTENDEE)
    assert client.get(f"/my/bookings/{booking.reference}").status_code == 404
    assert client.post(f"/my/bookings/{booking.reference}/cancel").status_code == 404
    assert course_session.course_type.name not in client.get("/my/bookings").get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED


def test_unknown_booking_reference_is_a_404(client, auth):
    auth.login_as(Role.ATTENDEE)
    response = client.get("/my/bookings/UNKNOWN")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
