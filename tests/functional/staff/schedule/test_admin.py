"""Staff schedule sessions and series, manage venues and course types, and cancel sessions."""

from datetime import date, timedelta

from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    CourseSession,
    CourseType,
    Notification,
    Role,
    SessionStatus,
    Venue,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.web.filters import LONDON
from tests import factories

# Sessions are planned at most two years ahead: next year's dates stay inside that window.
NEXT_YEAR = utcnow().year + 1


def _session_form(course_type, venue, day: date, **fields):
    data = {
        "course_type_id": course_type.id,
        "venue_id": venue.id,
        "date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "capacity": "8",
    }
    data.update(fields)
    return data


def test_create_and_edit_a_venue(client, auth, db):
    auth.login_as(Role.ADMIN)
    force = factories.force("dyfed-powys")
    data = {
        "name": "Chapel Rooms",
        "address": "1 Chapel Street",
        "postcode": "SA31 1AA",
        "force_id": force.id,
        "step_free": "y",
        "is_active": "y",
    }
    response = client.post("/admin/venues/new", data=data)
    assert response.status_code == 303
    venue = db.session.query(Venue).filter_by(name="Chapel Rooms").one()
    assert venue.step_free and venue.force_id == force.id
    data["name"] = "Chapel Rooms (upstairs)"
    client.post(f"/admin/venues/{venue.id}", data=data)
    db.session.refresh(venue)
    assert venue.name == "Chapel Rooms (upstairs)"
    assert "Chapel Rooms (upstairs)" in client.get("/admin/venues").get_data(as_text=True)


def test_venue_form_with_missing_fields_shows_messages(client, auth, db):
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/venues/new", data={})
    assert response.status_code == 400
    assert "Enter the venue&#39;s name." in response.get_data(as_text=True)
    assert db.session.query(Venue).count() == 0


def test_create_course_type_and_duplicate_slug_message(client, auth, db):
    auth.login_as(Role.ADMIN)
    data = {
        "name": "Cannabis awareness",
        "slug": "cannabis-awareness",
        "duration_minutes": "120",
        "delivery": "in_person",
        "default_capacity": "12",
        "default_fee_pence": "0",
        "trainers_needed": "1",
        "is_active": "y",
    }
    assert client.post("/admin/course-types/new", data=data).status_code == 303
    data["name"] = "Another"
    response = client.post("/admin/course-types/new", data=data)
    assert response.status_code == 200
    assert "Another course type already uses this short name." in response.get_data(as_text=True)
    assert db.session.query(CourseType).count() == 1
    existing = db.session.query(CourseType).one()
    data["name"] = "Cannabis awareness (renamed)"
    assert client.post(f"/admin/course-types/{existing.id}", data=data).status_code == 303
    db.session.refresh(existing)
    assert existing.name == "Cannabis awareness (renamed)"


def test_schedule_one_session(client, auth, db):
    auth.login_as(Role.ADMIN)
    course_type, venue = factories.course_type(), factories.venue()
    day = (utcnow() + timedelta(days=10)).astimezone(LONDON).date()
    response = client.post("/admin/sessions/new", data=_session_form(course_type, venue, day))
    assert response.status_code == 303
    course_session = db.session.query(CourseSession).one()
    assert course_session.starts_at.astimezone(LONDON).strftime("%H:%M") == "10:00"
    assert course_session.force_id == venue.force_id
    assert course_session.capacity == 8


def test_schedule_a_weekly_series_across_the_clock_change(client, auth, db):
    auth.login_as(Role.ADMIN)
    course_type, venue = factories.course_type(), factories.venue()
    last = f"{NEXT_YEAR}-11-07"
    data = _session_form(course_type, venue, date(NEXT_YEAR, 10, 10), repeat_until=last)
    response = client.post("/admin/sessions/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "5 weekly sessions scheduled." in page
    starts = [s.starts_at.astimezone(LONDON) for s in db.session.query(CourseSession)]
    assert len(starts) == 5
    # The coordinator lands on the series they made, every date listed, not page 1 of all.
    series_id = db.session.query(CourseSession).first().series_id
    assert response.request.path == f"/admin/series/{series_id}"
    assert "5 date(s), 5 still to come." in page
    assert {s.strftime("%H:%M") for s in starts} == {"10:00"}


def test_series_too_long_or_backwards_is_refused_with_a_message(client, auth, db):
    auth.login_as(Role.ADMIN)
    course_type, venue = factories.course_type(), factories.venue()
    first = utcnow().date() + timedelta(days=7)
    last = (first + timedelta(weeks=61)).isoformat()
    too_long = _session_form(course_type, venue, first, repeat_until=last)
    response = client.post("/admin/sessions/new", data=too_long)
    assert response.status_code == 400
    assert "at most 60 sessions" in response.get_data(as_text=True)
    last = f"{NEXT_YEAR}-03-01"
    backwards = _session_form(course_type, venue, date(NEXT_YEAR, 3, 7), repeat_until=last)
    response = client.post("/admin/sessions/new", data=backwards)
    assert response.status_code == 400
    assert "on or after the first date" in response.get_data(as_text=True)
    assert db.session.query(CourseSession).count() == 0


def test_session_form_with_bad_input_shows_messages(client, auth, db):
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/sessions/new", data={"date": "not-a-date"})
    assert response.status_code == 400
    assert "Enter the start time." in response.get_data(as_text=True)
    course_type, venue = factories.course_type(), factories.venue()
    backwards = _session_form(course_type, venue, date(NEXT_YEAR, 3, 7), end_time="09:00")
    response = client.post("/admin/sessions/new", data=backwards)
    assert response.status_code == 400
    assert "The end must be after the start." in response.get_data(as_text=True)
    assert db.session.query(CourseSession).count() == 0


def test_capacity_below_seats_taken_is_refused(client, auth, db):
    # A morning session, so its two hours never run past midnight whenever the test runs.
    morning = (utcnow() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    course_session = factories.course_session(capacity=3, starts_at=morning)
    for _ in range(2):
        bookings.book_session(course_session.id, factories.user(), now=utcnow())
    auth.login_as(Role.ADMIN)
    day = course_session.starts_at.astimezone(LONDON)
    data = _session_form(
        course_session.course_type,
        course_session.venue,
        day.date(),
        start_time=day.strftime("%H:%M"),
        end_time=(day + timedelta(hours=2)).strftime("%H:%M"),
        capacity="1",
    )
    response = client.post(f"/admin/sessions/{course_session.id}/edit", data=data)
    assert response.status_code == 400
    assert "Capacity cannot be lower" in response.get_data(as_text=True)
    db.session.refresh(course_session)
    assert course_session.capacity == 3


def test_bookings_page_and_cancelling_a_session(client, auth, db):
    course_session = factories.course_session()
    person = factories.user(first_name="Jordan")
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))
    booking = bookings.book_session(course_session.id, person, now=utcnow())
    admin = auth.login_as(Role.ADMIN)
    page = client.get(f"/admin/sessions/{course_session.id}").get_data(as_text=True)
    assert "Jordan" in page and booking.reference in page
    response = client.post(
        f"/admin/sessions/{course_session.id}/cancel", data={"reason": "Venue flooded"}
    )
    assert response.status_code == 303
    db.session.refresh(course_session)
    db.session.refresh(booking)
    assert course_session.status == SessionStatus.CANCELLED
    assert booking.status == BookingStatus.CANCELLED
    notice = db.session.query(Notification).filter_by(user_id=person.id).one()
    assert notice.subject == "A change to your booking"
    assert admin.id != person.id
    auth.logout()
    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert 'status--cancelled">Cancelled<' in page
    assert "Cancel this booking" not in page and 'action="/my/bookings/' not in page


def test_cancel_without_a_reason_changes_nothing(client, auth, db):
    course_session = factories.course_session()
    auth.login_as(Role.ADMIN)
    response = client.post(f"/admin/sessions/{course_session.id}/cancel", data={})
    assert response.status_code == 303
    db.session.refresh(course_session)
    assert course_session.status == SessionStatus.SCHEDULED
    assert db.session.query(Booking).count() == 0


def test_a_session_at_a_venue_no_longer_in_use_can_still_be_changed(client, auth, db):
    venue = factories.venue(is_active=False)
    course_session = factories.course_session(venue_row=venue, capacity=5)
    auth.login_as(Role.ADMIN)
    day = course_session.starts_at.astimezone(LONDON)
    data = _session_form(
        course_session.course_type,
        venue,
        day.date(),
        start_time=day.strftime("%H:%M"),
        end_time=(day + timedelta(hours=2)).strftime("%H:%M"),
        capacity="7",
    )
    response = client.post(f"/admin/sessions/{course_session.id}/edit", data=data)
    assert response.status_code == 303
    db.session.refresh(course_session)
    assert course_session.capacity == 7
