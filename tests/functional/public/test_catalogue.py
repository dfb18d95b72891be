"""The public catalogue and a session's page, as a person sees them."""

from datetime import timedelta

from sqlalchemy import insert

from booking.models import Booking, BookingStatus, CourseSession, SessionStatus, utcnow
from tests import factories


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _listed(response) -> str:
    """Only the list of results (the filter form also names every course type)."""
    page = _text(response)
    start = page.find('<ul class="session-list">')
    return page[start : page.find("</ul>", start)] if start >= 0 else ""


def _name(course_session) -> str:
    return f'>{course_session.course_type.name}<span class="card-date">'


def test_area_filter_shows_that_area_and_online_sessions(client, db):
    here = factories.force("thames-valley")
    elsewhere = factories.force("kent")
    local = factories.course_session(venue_row=factories.venue(here))
    far = factories.course_session(venue_row=factories.venue(elsewhere))
    online = factories.course_session(online=True)
    page = _listed(client.get("/sessions?area=thames-valley"))
    assert _name(local) in page
    assert _name(online) in page
    assert _name(far) not in page
    page = _listed(client.get("/sessions?area=online"))
    assert _name(online) in page
    assert _name(local) not in page and _name(far) not in page


def test_course_type_date_range_and_women_only_filters(client, db):
    now = utcnow().replace(microsecond=0)
    soon = factories.course_session(starts_at=now + timedelta(days=3))
    later = factories.course_session(starts_at=now + timedelta(days=40), women_only=True)
    page = _listed(client.get(f"/sessions?course_type={soon.course_type.slug}"))
    assert _name(soon) in page and _name(later) not in page
    day = (now + timedelta(days=40)).date()
    page = _listed(client.get(f"/sessions?date_from={day - timedelta(days=1)}&date_to={day}"))
    assert _name(later) in page and _name(soon) not in page
    page = _listed(client.get("/sessions?women_only=y"))
    assert _name(later) in page and _name(soon) not in page


def test_only_scheduled_future_sessions_are_listed(client, db):
    now = utcnow().replace(microsecond=0)
    past = factories.course_session(starts_at=now - timedelta(days=1))
    cancelled = factories.course_session(status=SessionStatus.CANCELLED)
    upcoming = factories.course_session()
    assert "1 session found." in _text(client.get("/sessions"))
    page = _listed(client.get("/sessions"))
    assert _name(upcoming) in page
    assert _name(past) not in page
    assert _name(cancelled) not in page


def test_pagination(client, app, db):
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    course_type = factories.course_type(name="Pacing course")
    venue = factories.venue()
    now = utcnow().replace(microsecond=0)
    for day in range(1, 6):
        factories.course_session(
            starts_at=now + timedelta(days=day), course_type_row=course_type, venue_row=venue
        )
    page = _text(client.get("/sessions"))
    assert "5 sessions found" in page and "Page 1 of 3" in page and "Next page" in page
    assert _listed(client.get("/sessions")).count(">Pacing course<span") == 2
    page = _text(client.get("/sessions?page=3"))
    assert "Page 3 of 3" in page and page.count(">Pacing course<span") == 1
    assert "Previous page" in page and "Next page" not in page


def test_places_left_are_shown(client, db):
    course_session = factories.course_session(capacity=3)
    person = factories.user()
    db.session.add(
        Booking(
            reference="PLACE111",
            session_id=course_session.id,
            user_id=person.id,
            status=BookingStatus.CONFIRMED,
        )
    )
    assert "2 places left" in _text(client.get("/sessions"))
    assert "Places left</dt><dd>2" in _text(client.get(f"/sessions/{course_session.id}"))


def test_session_page_shows_what_when_where_access_and_book_button(client, db):
    venue = factories.venue(
        name="Riverside Hall",
        hearing_loop=True,
        accessible_toilet=False,
        travel_notes="Bus 7 stops outside.",
    )
    course_session = factories.course_session(venue_row=venue, capacity=6)
    page = _text(client.get(f"/sessions/{course_session.id}"))
    for expected in (
        course_session.course_type.name,
        "Riverside Hall",
        venue.postcode,
        "Step-free access",
        "Hearing loop available",
        "No accessible toilet",
        "Bus 7 stops outside.",
        "Places left</dt><dd>6",
        f"/sessions/{course_session.id}/your-details",
        ">Book<",
    ):
        assert expected in page, expected


def test_no_book_button_when_full_or_cancelled(client, db):
    full = factories.course_session(capacity=1)
    db.session.add(
        Booking(
            reference="FULL1111",
            session_id=full.id,
            user_id=factories.user().id,
            status=BookingStatus.CONFIRMED,
        )
    )
    cancelled = factories.course_session(status=SessionStatus.CANCELLED)
    page = _text(client.get(f"/sessions/{full.id}"))
    assert "this session is full" in page and ">Book<" not in page
    page = _text(client.get(f"/sessions/{cancelled.id}"))
    assert "This session is cancelled." in page and ">Book<" not in page


def test_no_book_button_once_the_session_has_started(client, db):
    started = factories.course_session(starts_at=utcnow() - timedelta(minutes=10))
    page = _text(client.get(f"/sessions/{started.id}"))
    assert ">Book<" not in page


def test_unknown_session_is_a_404_page(client, db):
    response = client.get("/sessions/999999")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def _bulk_sessions(db, count: int) -> None:
    course_type = factories.course_type()
    venue = factories.venue()
    start = (utcnow() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    db.session.execute(
        insert(CourseSession),
        [
            dict(
                course_type_id=course_type.id,
                venue_id=venue.id,
                force_id=venue.force_id,
                is_online=False,
                starts_at=start + timedelta(hours=number),
                ends_at=start + timedelta(hours=number + 2),
                capacity=10,
                status=SessionStatus.SCHEDULED,
            )
            for number in range(count)
        ],
    )


def test_catalogue_query_count_does_not_grow_with_sessions(client, db, count_queries):
    counts = []
    for total in (10, 1000):
        _bulk_sessions(db, total if not counts else total - 10)
        with count_queries() as counter:
            response = client.get("/sessions")
        assert response.status_code == 200
        found = "10 sessions found" if total == 10 else "More than 500 sessions found"
        assert found in response.get_data(as_text=True)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10, counts


def test_a_very_long_list_says_more_than_and_asks_to_narrow_down(client, db, monkeypatch):
    monkeypatch.setattr("booking.services.bookings.catalogue.MAX_COUNTED", 5)

    for day in range(8):
        starts_at = utcnow().replace(microsecond=0) + timedelta(days=day + 1)
        factories.course_session(starts_at=starts_at)
    page = client.get("/sessions").get_data(as_text=True)
    assert "More than 5 sessions found." in page
    assert "Page 1<" in page  # no "of N" when the total is not counted
    assert "8 sessions found" not in page
