"""Bad input gets a page or a message, never a 500."""

from datetime import timedelta

import pytest

from booking.models import Role, utcnow
from tests import factories


@pytest.mark.parametrize(
    "url",
    [
        "/sessions?area=nowhere&date_from=not-a-date",
        "/sessions?page=-5",
        "/sessions?page=abc",
        "/sessions?page=99999999999999999999999",
        "/sessions?date_from=2030-02-30&date_to=1999-01-01",
        "/sessions?course_type=%00",
        "/sessions/0",
        "/sessions/99999999999999999999999",
        "/account/reset-password/not-a-token",
        "/account/login?next=%0d%0aLocation:%20https://evil.example",
    ],
)
def test_public_pages_with_bad_input_do_not_fail(client, db, url):
    factories.course_session()
    response = client.get(url)
    assert response.status_code < 500, response.status_code


def test_bad_filters_say_what_was_wrong(client, db):
    response = client.get("/sessions?area=nowhere&date_from=not-a-date")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Not a valid date value." in text or "valid date" in text


@pytest.mark.parametrize(
    "url",
    [
        "/my/bookings/UNKNOWN",
        "/my/bookings/%27%20OR%201=1",
    ],
)
def test_attendee_bad_references_are_404(client, auth, url):
    auth.login_as(Role.ATTENDEE)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/account/login", {"email": "", "password": ""}),
        ("/account/register", {"email": "x"}),
        ("/account/forgot-password", {}),
        ("/account/reset-password/not-a-token", {"password": "short"}),
    ],
)
def test_public_forms_with_missing_fields(client, db, url, data):
    assert client.post(url, data=data).status_code < 500


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/venues/new", {"force_id": "abc"}),
        ("/admin/course-types/new", {"duration_minutes": "-1", "trainers_needed": "9"}),
        ("/admin/sessions/new", {"course_type_id": "x", "capacity": "lots"}),
        ("/admin/sessions/new", {"course_type_id": "999", "venue_id": "999"}),
        ("/admin/sessions?page=-5", None),
        ("/admin/sessions?page=abc", None),
        ("/admin/sessions?page=99999999999999999999", None),
        ("/admin/venues/99999999999999999999", None),
        ("/admin/venues/999999", None),
        ("/admin/sessions/999999", None),
        ("/admin/sessions/999999/cancel", {"reason": "gone"}),
        ("/admin/sessions/999999/edit", None),
    ],
)
def test_admin_bad_input_gets_a_message_not_a_500(client, auth, url, data):
    auth.login_as(Role.ADMIN)
    response = client.get(url) if data is None else client.post(url, data=data)
    assert response.status_code < 500, response.status_code


def test_admin_session_for_online_without_venue_and_in_person_without_venue(client, auth, db):
    auth.login_as(Role.ADMIN)
    course_type = factories.course_type()
    data = {
        "course_type_id": course_type.id,
        "venue_id": "0",
        "date": (utcnow().date() + timedelta(days=30)).isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "capacity": "8",
    }
    response = client.post("/admin/sessions/new", data=data)
    assert response.status_code == 400
    assert "Choose a venue for an in-person session." in response.get_data(as_text=True)


def test_booking_an_unknown_session_is_404(client, auth):
    auth.login_as(Role.ATTENDEE)
    assert client.post("/my/sessions/999999/book").status_code == 404
