"""Build the benchmark's large dataset quickly: a fresh database, migrations, bulk inserts.

PostgreSQL rows go in with COPY (psycopg); SQLite rows with SQLAlchemy Core ``insert()`` over
lists of dicts. Every attendee shares one password hash, since hashing 20,000 passwords would
take minutes. Pre-existing bookings never exceed a session's capacity, and the people the load
generator signs in as (the first ``login_pool`` attendees) have no bookings yet.
"""

import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

from sqlalchemy import Table, create_engine, text
from sqlalchemy.engine import Connection, make_url
from werkzeug.security import generate_password_hash

from booking.demo.forces import FORCES, PARTNERS, WELSH
from booking.demo.seed import COURSE_TYPES
from booking.models import (
    AttendeeProfile,
    AvailabilitySlot,
    Booking,
    CourseSession,
    CourseType,
    PoliceForce,
    TrainerProfile,
    User,
    Venue,
)
from booking.models.trainers import trainer_course_types, trainer_forces

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(PROJECT_ROOT / "migrations")
BENCH_PASSWORD = "bench-password-not-secret"
BENCH_DATABASE = "waypoint_bench"
STAFF_EMAIL = "staff@bench.invalid"
DEFAULT_BASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Size:
    venues: int = 200
    sessions: int = 20_000
    bookings: int = 200_000
    attendees: int = 20_000
    # Sessions kept with a few places left, for the booking path (never women-only).
    booking_targets: int = 2_000
    # Attendees 0..login_pool-1 start with no bookings: the load generator signs in as them.
    login_pool: int = 200
    # Trainers with areas, courses and weekly hours, for an allocation run during the load.
    trainers: int = 150


TINY = Size(
    venues=4, sessions=40, bookings=120, attendees=60, booking_targets=5, login_pool=10, trainers=0
)


@dataclass
class Dataset:
    url: str
    dialect: str
    booking_target_ids: list[int] = field(default_factory=list)
    # Each booking target has exactly this many places free.
    target_places_left: int = 0
    session_ids: list[int] = field(default_factory=list)
    area_slugs: list[str] = field(default_factory=list)
    login_emails: list[str] = field(default_factory=list)
    password: str = BENCH_PASSWORD
    # What staff type into search: people's names and booking references that exist.
    search_terms: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class Progress:
    """A plain text progress bar on stderr."""

    def __init__(self, total: int, label: str = "dataset", width: int = 40) -> None:
        self.total, self.label, self.width = total, label, width
        self.done = 0
        self.started = time.monotonic()

    def advance(self, amount: int, what: str = "") -> None:
        self.done = min(self.done + amount, self.total)
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        percent = 100 * self.done / self.total
        sys.stderr.write(f"\r{self.label} [{bar}] {percent:5.1f}% {elapsed:5.1f}s {what:<13}")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def postgres_reachable(base_url: str) -> bool:
    engine = create_engine(base_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to connect means "use the SQLite fallback"
        return False
    finally:
        engine.dispose()


def recreate_postgres_database(base_url: str, name: str = BENCH_DATABASE) -> str:
    """Drop and create ``name`` on the server of ``base_url``; return its URL."""
    base = make_url(base_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def migrate(url: str) -> None:
    """Build the schema with the real migrations, as production does."""
    from flask_migrate import upgrade

    from booking import create_app
    from booking.extensions import db
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


def build(
    url: str, size: Size = Size(), *, seed: int = 2, now: datetime | None = None, quiet=False
) -> Dataset:
    """Fill an empty, migrated database at ``url`` with ``size`` rows. Returns what load needs."""
    started = time.monotonic()
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    engine = create_engine(url)
    dataset = Dataset(url=url, dialect=engine.dialect.name)
    progress = Progress(
        43
        + len(COURSE_TYPES)
        + size.venues
        + size.attendees
        + size.trainers
        + size.sessions
        + size.bookings
    )
    if quiet:
        progress.advance = lambda amount, what="": None  # type: ignore[method-assign]
    try:
        with engine.begin() as connection:
            _build(connection, size, rng, now, dataset, progress)
        if dataset.dialect == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    dataset.seconds = time.monotonic() - started
    return dataset


def _build(connection, size, rng, now, dataset, progress) -> None:
    forces = [
        dict(
            id=index,
            slug=slug,
            name=name,
            country="Wales" if slug in WELSH else "England",
            is_partner=slug in PARTNERS,
        )
        for index, (slug, name) in enumerate(FORCES, start=1)
    ]
    _insert(connection, PoliceForce.__table__, forces)
    progress.advance(len(forces), "forces")
    partner_ids = [row["id"] for row in forces if row["is_partner"]]
    slug_by_id = {row["id"]: row["slug"] for row in forces}

    course_types = [
        dict(
            id=index,
            is_active=True,
            delivery="IN_PERSON",
            **{key: value for key, value in values.items()},
        )
        for index, values in enumerate(COURSE_TYPES, start=1)
    ]
    for row in course_types:
        row.setdefault("summary", "")
    _insert(connection, CourseType.__table__, course_types)
    progress.advance(len(course_types), "course types")

    venues = [
        dict(
            id=index,
            name=f"Community venue {index}",
            address=f"{index} High Street",
            postcode=f"AB{index % 90 + 10} 1CD",
            force_id=partner_ids[index % len(partner_ids)],
            step_free=index % 3 != 0,
            hearing_loop=index % 2 == 0,
            accessible_toilet=index % 4 != 0,
            women_only_room=index % 5 == 0,
            travel_notes="Bus stop outside; free parking behind the building.",
            is_active=True,
        )
        for index in range(1, size.venues + 1)
    ]
    _insert(connection, Venue.__table__, venues)
    progress.advance(len(venues), "venues")

    password_hash = generate_password_hash(BENCH_PASSWORD)
    users = (
        dict(
            id=index,
            email=f"attendee{index}@bench.invalid",
            password_hash=password_hash,
            role="ATTENDEE",
            first_name=f"Person{index}",
            last_name="Bench",
            is_active_account=True,
            created_at=now,
        )
        for index in range(1, size.attendees + 1)
    )
    _insert_chunked(connection, User.__table__, users, progress, "attendees")
    dataset.login_emails = [
        f"attendee{index}@bench.invalid" for index in range(1, size.login_pool + 1)
    ]
    # The people who book have answered the preferences questions once already, as anyone would
    # have by their second visit; otherwise the book page sends them to those questions first.
    profile_defaults = {
        column.name: column.default.arg
        for column in AttendeeProfile.__table__.columns
        if column.default is not None and not callable(column.default.arg)
    }
    profiles = [
        {
            **profile_defaults,
            "id": index,
            "user_id": index,
            "prefers_women_only": False,
            "email_is_safe": True,
            "updated_at": now,
        }
        for index in range(1, size.login_pool + 1)
    ]
    _insert(connection, AttendeeProfile.__table__, profiles)

    _trainers(connection, size, rng, now, partner_ids, [row["id"] for row in course_types])
    progress.advance(size.trainers, "trainers")
    # One member of staff, for the pages staff live in (the dashboard, search).
    _insert(
        connection,
        User.__table__,
        [
            dict(
                id=size.attendees + size.trainers + 1,
                email=STAFF_EMAIL,
                password_hash=password_hash,
                role="ADMIN",
                first_name="Staff",
                last_name="Bench",
                is_active_account=True,
                created_at=now,
            )
        ],
    )

    # Sessions over the next year; one in ten online; booking targets spread through the list.
    durations = {row["id"]: row["duration_minutes"] for row in course_types}
    capacities = {row["id"]: row["default_capacity"] for row in course_types}
    target_every = max(size.sessions // max(size.booking_targets, 1), 1)
    # The bench's bookers have no referral, so booking targets are courses open to everyone.
    open_to_all = [row["id"] for row in course_types if not row.get("referral_required")]
    sessions: list[dict] = []
    first_day = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    for index in range(1, size.sessions + 1):
        course_type_id = rng.randint(1, len(course_types))
        is_target = index % target_every == 0 and len(dataset.booking_target_ids) < (
            size.booking_targets
        )
        if is_target and course_type_id not in open_to_all:
            course_type_id = open_to_all[index % len(open_to_all)]
        online = not is_target and index % 10 == 5
        venue = None if online else venues[rng.randrange(len(venues))]
        starts_at = first_day + timedelta(
            days=rng.randrange(365), hours=rng.choice((9, 13, 17)), minutes=rng.choice((0, 30))
        )
        women_only = bool(venue and venue["women_only_room"] and not is_target and index % 3 == 0)
        sessions.append(
            dict(
                id=index,
                course_type_id=course_type_id,
                venue_id=venue["id"] if venue else None,
                force_id=venue["force_id"] if venue else None,
                is_online=online,
                online_join_url="https://meet.example.org/waypoint" if online else "",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=durations[course_type_id]),
                capacity=capacities[course_type_id],
                women_only=women_only,
                status="SCHEDULED",
                notes="",
                created_at=now,
            )
        )
        if is_target:
            dataset.booking_target_ids.append(index)
    _insert_chunked(connection, CourseSession.__table__, iter(sessions), progress, "sessions")
    dataset.session_ids = [row["id"] for row in sessions]
    dataset.area_slugs = sorted({slug_by_id[row["force_id"]] for row in venues})

    # Bookings: booking targets keep three places free; others fill in turn up to capacity.
    targets = set(dataset.booking_target_ids)
    dataset.target_places_left = 3
    room = {
        row["id"]: row["capacity"] - (dataset.target_places_left if row["id"] in targets else 0)
        for row in sessions
    }
    _insert_chunked(
        connection,
        Booking.__table__,
        _bookings(sessions, room, size, rng, now, targets),
        progress,
        "bookings",
    )
    login_pool_end = size.login_pool
    dataset.search_terms = [
        f"Person{login_pool_end + 1 + n * 37 % max(size.attendees - login_pool_end, 1)}"
        for n in range(20)
    ] + [f"BN{1 + n * 97 % size.bookings:08d}" for n in range(20)]
    dataset.counts = {
        "forces": len(forces),
        "course_types": len(course_types),
        "venues": len(venues),
        "attendees": size.attendees,
        "trainers": size.trainers,
        "sessions": len(sessions),
        "bookings": size.bookings,
    }


def _trainers(connection, size, rng, now, partner_ids, course_type_ids) -> None:
    """``size.trainers`` trainers (accounts after the attendees'), each with a few areas and
    courses and three to five days a week: enough for the solver to work for its time limit."""
    if not size.trainers:
        return
    first_id = size.attendees + 1
    users, profiles, courses, areas, slots = [], [], [], [], []
    for number in range(size.trainers):
        user_id = first_id + number
        home = rng.choice(partner_ids)
        users.append(
            dict(
                id=user_id,
                email=f"trainer{number + 1}@bench.invalid",
                password_hash="!",  # trainers never sign in during the benchmark
                role="TRAINER",
                first_name=f"Trainer{number + 1}",
                last_name="Bench",
                is_active_account=True,
                created_at=now,
            )
        )
        profiles.append(
            dict(
                id=number + 1,
                user_id=user_id,
                covers_online=rng.random() < 0.5,
                can_lead_women_only=rng.random() < 0.4,
                max_sessions_per_week=rng.choice([3, 4, 5]),
                home_force_id=home,
                calendar_token=f"bench-trainer-{number + 1}",
                is_active=True,
            )
        )
        picked = rng.sample(course_type_ids, min(len(course_type_ids), rng.choice([2, 3])))
        courses += [dict(trainer_id=number + 1, course_type_id=c) for c in picked]
        covered = {home, rng.choice(partner_ids), rng.choice(partner_ids)}
        areas += [dict(trainer_id=number + 1, force_id=f) for f in sorted(covered)]
        for weekday in sorted(rng.sample(range(6), rng.choice([3, 4, 5]))):
            slots.append(
                dict(
                    id=len(slots) + 1,
                    trainer_id=number + 1,
                    weekday=weekday,
                    starts=dt_time(9, 0),
                    ends=dt_time(21, 0),
                )
            )
    _write(connection, User.__table__, users)
    _move_sequence(connection, User.__table__)
    _insert(connection, TrainerProfile.__table__, profiles)
    _write(connection, trainer_course_types, courses)
    _write(connection, trainer_forces, areas)
    _insert(connection, AvailabilitySlot.__table__, slots)


def _bookings(sessions, room, size, rng, now, targets) -> Iterator[dict]:
    """``size.bookings`` bookings, mostly confirmed, some cancelled, never over capacity.

    Booking targets are filled first, so each has exactly ``target_places_left`` places free;
    the rest go round the other sessions in turn.
    """
    eligible = size.attendees - size.login_pool  # the login pool starts with no bookings
    made = {row["id"]: 0 for row in sessions}
    seated = dict.fromkeys(made, 0)
    counter = iter(range(1, size.bookings + 1))

    def one(session_id: int, *, cancelled: bool) -> dict:
        # Distinct people per session: consecutive attendees from a per-session offset.
        person = size.login_pool + 1 + (session_id * 7919 + made[session_id]) % eligible
        made[session_id] += 1
        seated[session_id] += 0 if cancelled else 1
        number = next(counter)
        return dict(
            id=number,
            reference=f"BN{number:08d}",
            session_id=session_id,
            user_id=person,
            status="CANCELLED" if cancelled else "CONFIRMED",
            fee_pence=0,
            hold_expires_at=None,
            created_at=now,
            confirmed_at=None if cancelled else now,
            cancelled_at=now if cancelled else None,
            cancel_reason="Cancelled by the attendee" if cancelled else "",
        )

    number = 0
    for session_id in targets:
        while seated[session_id] < room[session_id] and number < size.bookings:
            number += 1
            yield one(session_id, cancelled=False)
    while number < size.bookings:
        progressed = False
        for row in sessions:
            session_id = row["id"]
            if number >= size.bookings:
                break
            cancelled = rng.random() < 0.12
            if session_id in targets or made[session_id] >= eligible:
                continue
            if not cancelled and seated[session_id] >= room[session_id]:
                continue
            number += 1
            progressed = True
            yield one(session_id, cancelled=cancelled)
        if not progressed:
            raise ValueError("not enough places for that many bookings; add sessions")


def _insert(connection: Connection, table: Table, rows: list[dict]) -> None:
    if rows:
        _write(connection, table, rows)
    _move_sequence(connection, table)


def _insert_chunked(
    connection: Connection,
    table: Table,
    rows: Iterable[dict],
    progress: Progress,
    what: str,
    chunk: int = 5_000,
) -> None:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            _write(connection, table, batch)
            progress.advance(len(batch), what)
            batch = []
    if batch:
        _write(connection, table, batch)
        progress.advance(len(batch), what)
    _move_sequence(connection, table)


def _move_sequence(connection: Connection, table: Table) -> None:
    if connection.dialect.name == "postgresql":
        # Rows were given explicit ids: move the sequence past them for later inserts.
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
            )
        )


def _write(connection: Connection, table: Table, rows: list[dict]) -> None:
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
