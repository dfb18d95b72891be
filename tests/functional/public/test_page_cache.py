"""The short cache for anonymous public pages: what strangers see, how fresh it is, and that
nothing personal is ever kept or shared."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import select

from booking.database import single_read
from booking.models import Booking, BookingStatus, CourseSession
from booking.services.clock import when
from booking.web import caching
from tests import factories

SECONDS = 3.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    """The page cache switched on (tests run with it off), on a clock the test moves."""
    app.config["PAGE_CACHE_SECONDS"] = SECONDS
    fake = Clock()
    monkeypatch.setattr(caching, "_clock", fake)
    return fake


def _book_one(db, course_session, reference: str) -> None:
    db.session.add(
        Booking(
            reference=reference,
            session_id=course_session.id,
            user_id=factories.user().id,
            status=BookingStatus.CONFIRMED,
        )
    )
    db.session.commit()


@contextmanager
def _drawn(app):
    """The names of the templates drawn while the block runs."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def _places(client, session_id: int) -> str:
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    start = text.index("Places left</dt><dd>") + len("Places left</dt><dd>")
    return text[start : text.index("<", start)]


def test_places_left_shown_to_strangers_are_never_older_than_a_few_seconds(
    client, db, clock, count_queries
):
    course_session = factories.course_session(capacity=5)
    db.session.commit()
    session_id = course_session.id
    assert _places(client, session_id) == "5"

    _book_one(db, course_session, "CACHE001")
    with count_queries() as counter:
        assert _places(client, session_id) == "5"  # the kept copy, no database work
    assert counter.count == 0, counter.statements

    clock.now += SECONDS + 0.1
    assert _places(client, session_id) == "4"


def test_the_catalogue_and_home_are_kept_too(client, db, clock, count_queries):
    factories.course_session()
    db.session.commit()
    for path in ("/", "/sessions", "/sessions?area=online"):
        first = client.get(path)
        with count_queries() as counter:
            again = client.get(path)
        assert counter.count == 0, path
        assert again.get_data() == first.get_data(), path


def test_signed_in_people_always_get_their_own_fresh_page(client, db, auth, clock):
    course_session = factories.course_session(capacity=5)
    db.session.commit()
    stranger_page = client.get(f"/sessions/{course_session.id}").get_data(as_text=True)
    assert "Sign out" not in stranger_page

    person = auth.login_as()
    _book_one(db, course_session, "CACHE002")
    signed_in = client.get(f"/sessions/{course_session.id}")
    text = signed_in.get_data(as_text=True)
    assert "Sign out" in text  # not the stranger's copy
    assert "Places left</dt><dd>4" in text  # and not stale
    assert "private" in signed_in.headers["Cache-Control"]
    assert "ETag" not in signed_in.headers

    # Their page was not kept for anyone else either.
    stranger = client.application.test_client()
    other = stranger.get(f"/sessions/{course_session.id}").get_data(as_text=True)
    assert "Sign out" not in other
    assert person.first_name not in other


def test_a_message_meant_for_one_visitor_is_never_shown_to_another(client, db, clock):
    factories.course_session()
    db.session.commit()
    stranger = client.application.test_client()
    assert stranger.get("/sessions").status_code == 200  # the kept copy now exists

    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A note for this visitor only")]
    assert "A note for this visitor only" in client.get("/sessions").get_data(as_text=True)

    later = client.application.test_client()
    assert "A note for this visitor only" not in later.get("/sessions").get_data(as_text=True)


def test_a_browser_asking_again_gets_not_modified_until_the_page_changes(client, db, clock):
    course_session = factories.course_session(capacity=5)
    db.session.commit()
    path = f"/sessions/{course_session.id}"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""

    _book_one(db, course_session, "CACHE003")
    clock.now += SECONDS + 0.1
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Places left</dt><dd>4" in changed.get_data(as_text=True)


def test_pages_that_are_not_found_are_not_kept(client, db, clock):
    assert client.get("/sessions/999999").status_code == 404
    course_session = factories.course_session()
    db.session.commit()
    assert client.get(f"/sessions/{course_session.id}").status_code == 200


def test_the_memory_store_forgets_the_oldest_page_past_its_bound(monkeypatch):
    monkeypatch.setattr(caching, "_clock", lambda: 0.0)
    store = caching.MemoryStore(entries=2)
    store.set("/a", b"a", 10)
    store.set("/b", b"b", 10)
    store.set("/c", b"c", 10)
    assert store.get("/a") is None
    assert (store.get("/b"), store.get("/c")) == (b"b", b"c")


def test_a_shared_store_that_is_away_means_rendering_not_an_error(app, db):
    app.config["PAGE_CACHE_SECONDS"] = SECONDS
    # Nothing listens on port 9: every Redis call fails at once.
    app.extensions[caching.EXTENSION] = caching.RedisStore("redis://127.0.0.1:9/0")
    course_session = factories.course_session(capacity=5)
    db.session.commit()
    client = app.test_client()
    for _ in range(2):
        response = client.get(f"/sessions/{course_session.id}")
        assert response.status_code == 200
        assert "Places left</dt><dd>5" in response.get_data(as_text=True)


def test_filter_choices_are_remembered_but_only_for_a_minute(client, db, clock, count_queries):
    client.get("/sessions?page=1")
    with count_queries() as counter:
        client.get("/sessions?page=2")  # a different page: rendered, but choices remembered
    assert not any("course_types" in s and "FROM course_types" in s for s in counter.statements)

    factories.course_type(name="A new course for testing")
    db.session.commit()
    clock.now += caching.REMEMBER_SECONDS + 1
    page = client.get("/sessions?page=3").get_data(as_text=True)
    assert "A new course for testing" in page


def test_a_session_page_is_one_query_however_many_bookings_it_has(client, db, count_queries):
    course_session = factories.course_session(capacity=80)
    session_id = course_session.id
    counts = []
    booked = 0
    for wanted in (1, 60):
        while booked < wanted:
            booked += 1
            _book_one(db, course_session, f"COUNT{booked:03d}")
        with count_queries() as counter:
            assert _places(client, session_id) == str(80 - wanted)
        # SQLite's explicit BEGIN is not a query; on PostgreSQL there is none.
        counts.append(len([s for s in counter.statements if s != "BEGIN"]))
    assert counts == [1, 1], counts


def test_an_expired_page_whose_figures_are_unchanged_is_not_drawn_again(app, client, db, clock):
    course_session = factories.course_session(capacity=5)
    db.session.commit()
    paths = (f"/sessions/{course_session.id}", "/sessions?area=online", "/sessions")
    first = {path: client.get(path).get_data() for path in paths}

    clock.now += SECONDS + 0.1  # every kept page has expired: each view reads its figures again
    with _drawn(app) as drawn:
        again = {path: client.get(path).get_data() for path in paths}
    assert drawn == []
    assert again == first

    _book_one(db, course_session, "CACHE004")
    clock.now += SECONDS + 0.1
    with _drawn(app) as drawn:
        assert _places(client, course_session.id) == "4"
        assert "4 places left" in client.get("/sessions").get_data(as_text=True)
    assert drawn == ["public/session.html", "public/sessions.html"]


def test_a_change_to_what_a_session_page_shows_appears_once_the_kept_copy_expires(
    client, db, clock
):
    course_session = factories.course_session(capacity=5)
    db.session.commit()
    path = f"/sessions/{course_session.id}"
    assert "Community Hall" not in client.get(path).get_data(as_text=True)

    course_session.venue.name = "Community Hall"
    course_session.starts_at += timedelta(days=1, hours=3)
    course_session.ends_at += timedelta(days=1, hours=3)
    db.session.commit()
    clock.now += SECONDS + 0.1
    page = client.get(path).get_data(as_text=True)
    assert "Community Hall" in page
    assert when(course_session.starts_at) in page
    listed = client.get("/sessions").get_data(as_text=True)
    assert "Community Hall" in listed


def test_signed_in_people_always_get_a_page_drawn_for_them(app, client, db, auth, clock):
    course_session = factories.course_session(capacity=5)
    db.session.commit()
    path = f"/sessions/{course_session.id}"
    client.get(path)
    auth.login_as()
    for _ in range(2):
        clock.now += SECONDS + 0.1
        with _drawn(app) as drawn:
            assert "Sign out" in client.get(path).get_data(as_text=True)
        assert drawn == ["public/session.html"]


def test_drawn_pages_are_forgotten_oldest_first_past_their_bound():
    pages = caching.RenderedPages(entries=2)
    pages.set("/a", ("a",), "A")
    pages.set("/b", ("b",), "B")
    pages.set("/c", ("c",), "C")
    assert pages.get("/a", ("a",)) is None
    assert pages.get("/b", ("b",)) == "B"
    assert pages.get("/b", ("changed",)) is None


def test_a_read_on_its_own_leaves_the_pooled_connection_as_it_found_it(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL reads in autocommit; SQLite uses the request's session")
    session_id = factories.course_session().id
    db.session.commit()
    db.session.close()
    db.engine.dispose()  # one connection in the pool from here: the read's, handed back
    rows = single_read(select(CourseSession.id).where(CourseSession.id == session_id))
    assert [row["id"] for row in rows] == [session_id]
    assert db.engine.pool.checkedin() == 1
    with db.engine.connect() as connection:
        assert connection.connection.driver_connection.autocommit is False
