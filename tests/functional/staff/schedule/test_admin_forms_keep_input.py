"""A rule that refuses an admin form shows the same form again, as typed, with the message
beside the field it is about; nothing is changed."""

from datetime import timedelta

from booking.models import Role, utcnow
from booking.services.bookings import seats as bookings
from booking.web.filters import LONDON
from tests import factories


def _edit_data(course_session, **fields):
    day = course_session.starts_at.astimezone(LONDON)
    data = {
        "course_type_id": course_session.course_type_id,
        "venue_id": course_session.venue_id,
        "date": day.date().isoformat(),
        "start_time": day.strftime("%H:%M"),
        "end_time": (day + timedelta(hours=2)).strftime("%H:%M"),
        "capacity": "8",
        "notes": "Bring the large-print handouts",
    }
    data.update(fields)
    return data


def test_a_rule_refusal_keeps_what_was_typed_and_says_why_beside_the_field(client, auth, db):
    course_session = factories.course_session(capacity=3)
    for _ in range(2):
        bookings.book_session(course_session.id, factories.user(), now=utcnow())
    auth.login_as(Role.ADMIN)

    response = client.post(
        f"/admin/sessions/{course_session.id}/edit",
        data=_edit_data(course_session, capacity="1"),
        headers={"Referer": f"http://localhost/admin/sessions/{course_session.id}/edit"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="capacity-error"' in page  # the message sits beside the capacity field
    assert "Capacity cannot be lower than the places already taken" in page
    assert "Bring the large-print handouts" in page  # what was typed is still there
    assert 'value="1"' in page
    db.session.refresh(course_session)
    assert course_session.capacity == 3 and not course_session.notes


def test_a_scheduler_gets_the_same_form_back(client, auth, db):
    course_session = factories.course_session(capacity=2)
    for _ in range(2):
        bookings.book_session(course_session.id, factories.user(), now=utcnow())
    auth.login_as(Role.SCHEDULER)

    response = client.post(
        f"/admin/sessions/{course_session.id}/edit",
        data=_edit_data(course_session, capacity="1", notes="Room 4"),
    )

    assert response.status_code == 400
    assert "Room 4" in response.get_data(as_text=True)


def test_the_form_works_once_the_mistake_is_put_right(client, auth, db):
    course_session = factories.course_session(capacity=3)
    bookings.book_session(course_session.id, factories.user(), now=utcnow())
    auth.login_as(Role.ADMIN)

    response = client.post(
        f"/admin/sessions/{course_session.id}/edit",
        data=_edit_data(course_session, capacity="2"),
    )

    assert response.status_code == 303
    db.session.refresh(course_session)
    assert course_session.capacity == 2
