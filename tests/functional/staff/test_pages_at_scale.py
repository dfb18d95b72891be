"""Staff pages cost the same whatever the size of the database: the same statements, and (for the
dashboard and the searches) the same number of rows read, on a tiny dataset and on ten times as
many bookings and people added in bulk."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from booking.models import Booking, BookingStatus, Role, User, utcnow
from booking.services.clock import LONDON
from booking.services.people import directory
from booking.services.schedule import overview
from tests import factories

# Every staff list a role lands on or works from, with a search that matches somebody.
STAFF_PAGES = [
    "/admin/",
    "/admin/sessions",
    "/admin/sessions/awaiting-closure",
    "/admin/waiting-lists",
    "/admin/people/?q=Bulk",
    "/admin/people/?q=bulk99",
    "/admin/money/bookings?reference=BULK000001",
    "/admin/money/refunds",
    "/admin/money/waivers",
    "/admin/referrals/",
    "/admin/referrals/near-deadline",
    "/admin/trainers/",
    "/admin/trainers/short",
    "/admin/contact/calls",
    "/admin/contact/messages",
]
# Pages whose rows read must not grow either: they summarise or search the whole database.
ROWS_BOUNDED = ["/admin/", "/admin/people/?q=bulk99", "/admin/money/bookings?reference=BULK000001"]


class RowCounter:
    """Rows handed back to the application by the session, statement by statement."""

    def __init__(self) -> None:
        self.rows = 0

    def __call__(self, state):
        if not state.is_select:
            return None
        frozen = state.invoke_statement().freeze()
        self.rows += len(frozen.data)
        return frozen()


@contextmanager
def counting_rows():
    counter = RowCounter()
    event.listen(Session, "do_orm_execute", counter)
    try:
        yield counter
    finally:
        event.remove(Session, "do_orm_execute", counter)


_bulk = iter(range(1, 1_000_000))


def _grow(db, sessions, people: int) -> None:
    """``people`` more attendees, each with a booking made in one of the last eight weeks on one
    of ``sessions``, added in bulk: every 32 people cover every week and session once."""
    now = utcnow()
    # A Wednesday midday (UK time) in each of the last eight weeks, this one first.
    today = now.astimezone(LONDON).date()
    monday = today - timedelta(days=today.weekday())
    wednesdays = [
        datetime.combine(monday - timedelta(weeks=w, days=-2), time(12), LONDON) for w in range(8)
    ]
    numbers = [next(_bulk) for _ in range(people)]
    rows = [
        dict(
            email=f"bulk{n:06d}@example.org",
            password_hash="x",
            role=Role.ATTENDEE,
            first_name=f"Bulk{n}",
            last_name="Person",
            created_at=now,
        )
        for n in numbers
    ]
    ids = db.session.scalars(insert(User).returning(User.id), rows).all()
    db.session.execute(
        insert(Booking),
        [
            dict(
                reference=f"BULK{n:06d}",
                session_id=sessions[(i // 8) % len(sessions)].id,
                user_id=user_id,
                status=BookingStatus.CANCELLED if i % 3 else BookingStatus.CONFIRMED,
                fee_pence=0,
                created_at=wednesdays[i % 8],
            )
            for i, (n, user_id) in enumerate(zip(numbers, ids, strict=True))
        ],
    )
    db.session.commit()


@pytest.fixture
def world(db):
    now = utcnow()
    area = factories.venue()
    sessions = [
        factories.course_session(venue_row=area, starts_at=now + timedelta(days=day, hours=1))
        for day in (2, 9, 16)
    ] + [factories.course_session(online=True, starts_at=now + timedelta(days=3))]
    _grow(db, sessions, 32)
    return sessions


def _measure(client, count_queries, url):
    with count_queries() as statements, counting_rows() as rows:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements.count, rows.rows


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_page_statements_do_not_grow_with_the_data(
    client, db, auth, count_queries, world, url
):
    auth.login_as(Role.ADMIN)
    client.get(url)
    few, few_rows = _measure(client, count_queries, url)
    _grow(db, world, 320)
    many, many_rows = _measure(client, count_queries, url)
    assert many == few
    if url in ROWS_BOUNDED:
        assert many_rows == few_rows


def test_dashboard_counts_bookings_by_uk_week_and_area_and_fills_by_area(db, world):
    now = utcnow()
    weekly = overview.bookings_per_week_by_area(now=now)
    area = world[0].force.name
    assert weekly.areas == sorted([area, overview.ONLINE])
    online_last = weekly.areas[-1] == overview.ONLINE
    # Each week: three bookings on the area's sessions, one on the online session.
    assert [weekly.row(week) for week in weekly.weeks] == [[3, 1] if online_last else [1, 3]] * 8
    fill = {row.area: row for row in overview.fill_rate_by_area(now=now)}
    confirmed = [sum(1 for i in range(32) if (i // 8) % 4 == s and i % 3 == 0) for s in range(4)]
    assert (fill[area].sessions, fill[area].places, fill[area].taken) == (3, 30, sum(confirmed[:3]))
    assert (fill[overview.ONLINE].sessions, fill[overview.ONLINE].taken) == (1, confirmed[3])


@contextmanager
def capturing_statements(db):
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def _plans(db, seen) -> list[str]:
    """Each captured statement's plan, as the database would run it."""
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        # With sequential scans priced out, a table is still read whole only when no index
        # can answer the condition.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    explain = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
    return [
        " | ".join(str(row[-1]) for row in connection.exec_driver_sql(explain + sql, params))
        for sql, params in seen
    ]


@pytest.mark.parametrize("typed", ["reference", "reference in lower case", "name"])
def test_staff_search_reads_indexes_not_whole_tables(db, world, typed):
    booking = db.session.scalar(select(Booking).order_by(Booking.id.desc()).limit(1))
    query = {
        "reference": booking.reference,
        "reference in lower case": booking.reference.lower(),
        "name": f"{booking.user.first_name} person",
    }[typed]
    with capturing_statements(db) as seen:
        found = directory.search(query)
    assert booking.user in [match.person for match in found]
    plans = _plans(db, seen)
    people, by_reference = plans[0], plans[1]
    if db.session.connection().dialect.name == "postgresql":
        # The reference by its unique index; names, addresses and phone digits by the trigram
        # indexes (sequential scans are priced out, so an index the condition cannot use
        # would show as a whole scan of the primary key with a filter instead).
        assert "Index Cond: ((reference)::text =" in by_reference, by_reference
        for table in ("users", "attendee_profiles"):
            assert f"Seq Scan on {table}" not in people, people
        assert "_trgm" in people, people
    else:
        # SQLite has no trigram index and reads its (small) tables; the reference is an index.
        assert "SEARCH bookings USING INDEX" in by_reference, by_reference


def test_the_dashboard_runs_the_same_statements_with_no_sessions_this_week(
    client, db, auth, count_queries
):
    auth.login_as(Role.ADMIN)
    client.get("/admin/")
    empty, _ = _measure(client, count_queries, "/admin/")
    now = utcnow()
    factories.course_session(starts_at=now + timedelta(days=2))
    db.session.commit()
    busy, _ = _measure(client, count_queries, "/admin/")
    assert busy == empty
