"""The public catalogue: which sessions a person can find, and how many places each has left."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import DateTime, Integer, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload

from booking.database import single_read
from booking.extensions import db
from booking.models import CourseSession, CourseType, PoliceForce, SessionStatus, Venue
from booking.services.bookings.seats import seats_taken_column
from booking.services.clock import LONDON
from booking.services.input_rules import EARLIEST_DATE, LATEST_DATE

ONLINE = "online"
REFERRED = "yes"
NOT_REFERRED = "no"
MAX_COUNTED = 500


@dataclass(frozen=True)
class CatalogueFilters:
    """What a person asked for. ``area`` is a force slug, "online", or empty for everywhere."""

    area: str = ""
    course_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    women_only: bool = False
    # "yes" (referred by the police), "no" (only what anyone can book), or "" (not asked).
    referred: str = ""


@dataclass
class CatalogueEntry:
    session: CourseSession
    places_left: int


@dataclass(frozen=True, slots=True)
class ListedSession:
    """What a catalogue card shows, as plain values: cheaper than ORM objects, and comparable, so
    an unchanged page of results can be recognised (booking/web/caching.py)."""

    id: int
    course_name: str
    starts_at: datetime
    is_online: bool
    women_only: bool
    fee_pence: int
    referral_required: bool
    venue_name: str | None
    venue_postcode: str | None
    places_left: int


@dataclass
class CataloguePage:
    # CatalogueEntry from ``search``, ListedSession from ``listing``.
    entries: list
    page: int
    pages: int
    total: int
    filters: CatalogueFilters = field(default_factory=CatalogueFilters)

    @property
    def total_is_capped(self) -> bool:
        return self.total > MAX_COUNTED

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


@dataclass(frozen=True)
class _Shape:
    """Which filters are set (not their values): statements are built once per shape."""

    area: str  # "", ONLINE or "force"
    course_type: bool
    date_from: bool
    date_to: bool
    women_only: bool
    open_to_all: bool


def _moment(name: str):
    # Typed as the columns are, so an aware datetime is stored and compared as UTC everywhere.
    return bindparam(name, type_=CourseSession.__table__.c.starts_at.type)


def _filtered(filters: CatalogueFilters, now: datetime):
    """The statement for upcoming, open sessions matching ``filters`` and the values it is run
    with: built once per combination of filters set, since building it cost more than running
    it."""
    shape = _Shape(
        area="" if not filters.area else ONLINE if filters.area == ONLINE else "force",
        course_type=bool(filters.course_type),
        date_from=bool(filters.date_from),
        date_to=bool(filters.date_to),
        women_only=filters.women_only,
        open_to_all=filters.referred == NOT_REFERRED,
    )
    values: dict[str, object] = {"now": now}
    if shape.area == "force":
        values["area"] = filters.area
    if filters.course_type:
        values["course_type"] = filters.course_type
    # Dates are clamped into the window any date field accepts: the day after 31 December 9999
    # does not exist, and year 1 is before any timezone rule.
    if filters.date_from:
        values["starts_from"] = _start_of(min(max(filters.date_from, EARLIEST_DATE), LATEST_DATE))
    if filters.date_to:
        date_to = min(max(filters.date_to, EARLIEST_DATE), LATEST_DATE)
        values["starts_before"] = _start_of(date_to + timedelta(days=1))
    return _filtered_statement(shape), values


@cache
def _filtered_statement(shape: _Shape):
    statement = select(CourseSession).where(
        CourseSession.status == SessionStatus.SCHEDULED, CourseSession.starts_at > _moment("now")
    )
    if shape.area == ONLINE:
        statement = statement.where(CourseSession.is_online.is_(True))
    elif shape.area:
        force_id = (
            select(PoliceForce.id).where(PoliceForce.slug == bindparam("area")).scalar_subquery()
        )
        # A person in a force area can also join any online session. Online sessions have no
        # force, so "force_id IS NULL" lets PostgreSQL answer both halves from the
        # (force_id, starts_at) index instead of scanning every upcoming session.
        statement = statement.where(
            or_(
                CourseSession.force_id == force_id,
                and_(CourseSession.force_id.is_(None), CourseSession.is_online.is_(True)),
            )
        )
    if shape.course_type:
        course_type_id = (
            select(CourseType.id)
            .where(CourseType.slug == bindparam("course_type"))
            .scalar_subquery()
        )
        statement = statement.where(CourseSession.course_type_id == course_type_id)
    if shape.date_from:
        statement = statement.where(CourseSession.starts_at >= _moment("starts_from"))
    if shape.date_to:
        statement = statement.where(CourseSession.starts_at < _moment("starts_before"))
    if shape.women_only:
        statement = statement.where(CourseSession.women_only.is_(True))
    if shape.open_to_all:
        statement = statement.where(CourseSession.course_type_id.in_(_open_course_types()))
    return statement


def _open_course_types():
    """Courses anyone may book, without a police referral."""
    return select(CourseType.id).where(CourseType.referral_required.is_(False))


def _count_statement(base):
    # Counting every upcoming session on each view costs a scan that grows with the data; past
    # MAX_COUNTED the page just says "more than", which is all a person needs to narrow down.
    return select(func.count().label("total")).select_from(
        base.with_only_columns(CourseSession.id)
        .limit(bindparam("most_counted", type_=Integer))
        .subquery()
    )


def _count_values(values: dict[str, object]) -> dict[str, object]:
    return {**values, "most_counted": MAX_COUNTED + 1}


def _order(
    women_only_first: bool, columns=CourseSession.__table__.c, *, referred: bool = False
) -> list:
    """Soonest first; for a person who asked for a women-only group, the women-only groups they
    can book come first (those needing a police referral only for a referred person)."""
    if not women_only_first:
        return [columns.starts_at, columns.id]
    bookable = columns.women_only.is_(True)
    if not referred:
        bookable = and_(bookable, columns.course_type_id.in_(_open_course_types()))
    return [case((bookable, 0), else_=1), columns.starts_at, columns.id]


def _page_within(page: int, total: int, per_page: int) -> tuple[int, int]:
    """The page asked for, kept between the first and the last; and how many pages there are."""
    pages = max((total + per_page - 1) // per_page, 1)
    return min(max(page, 1), pages), pages


def search(
    filters: CatalogueFilters,
    *,
    page: int,
    per_page: int,
    now: datetime,
    women_only_first: bool = False,
) -> CataloguePage:
    """One page of upcoming, open sessions matching ``filters``, soonest first, as sessions with
    their course type, venue and area loaded (for callers that need the whole session).

    With ``women_only_first`` (a person who asked for a women-only group), women-only sessions
    come before the others, each soonest first.

    Runs two queries whatever the data's size: a count, and the page of sessions with their
    course type, venue and area joined in and their seats taken counted alongside.
    """
    base, values = _filtered(filters, now)
    total = db.session.execute(_count_statement(base), _count_values(values)).scalar_one()
    page, pages = _page_within(page, total, per_page)
    rows = db.session.execute(
        base.add_columns(seats_taken_column(_moment("now")))
        .options(*_for_display())
        .order_by(*_order(women_only_first, referred=filters.referred == REFERRED))
        .limit(per_page)
        .offset((page - 1) * per_page),
        values,
    ).all()
    entries = [
        CatalogueEntry(session=s, places_left=max(s.capacity - taken, 0)) for s, taken in rows
    ]
    return CataloguePage(entries=entries, page=page, pages=pages, total=total, filters=filters)


def listing(
    filters: CatalogueFilters,
    *,
    page: int,
    per_page: int,
    now: datetime,
    women_only_first: bool = False,
) -> CataloguePage:
    """The same page of sessions as ``search`` (same filters, same order), as ``ListedSession``
    values for the public catalogue: the page strangers read most.

    Two queries whatever the data's size, each on its own (``single_read``). The page's ids are
    picked first, so seats are counted for those rows only, not for every row skipped on the way
    to a later page.
    """
    base, values = _filtered(filters, now)
    count, chosen_page = _listing_statements(base, women_only_first, filters.referred == REFERRED)
    total = single_read(count, _count_values(values))[0]["total"]
    page, pages = _page_within(page, total, per_page)
    rows = single_read(chosen_page, {**values, "limit": per_page, "offset": (page - 1) * per_page})
    entries = [ListedSession(**{**row, "places_left": max(row["places_left"], 0)}) for row in rows]
    return CataloguePage(entries=entries, page=page, pages=pages, total=total, filters=filters)


def _for_display():
    return (
        joinedload(CourseSession.course_type),
        joinedload(CourseSession.venue),
        joinedload(CourseSession.force),
    )


def session_for_display(session_id: int) -> CourseSession | None:
    """One session with everything its page shows, in one query."""
    return db.session.scalar(
        select(CourseSession).options(*_for_display()).where(CourseSession.id == session_id)
    )


@dataclass(frozen=True, slots=True)
class SessionDetails:
    """What a session's public page shows, as plain values (see ``ListedSession``)."""

    id: int
    status: SessionStatus
    starts_at: datetime
    ends_at: datetime
    is_online: bool
    women_only: bool
    course_name: str
    course_summary: str
    fee_pence: int
    referral_required: bool
    venue_id: int | None
    venue_name: str | None
    venue_address: str | None
    venue_postcode: str | None
    step_free: bool | None
    hearing_loop: bool | None
    accessible_toilet: bool | None
    women_only_room: bool | None
    travel_notes: str | None
    places_left: int


@cache
def _session_page_statement():
    # Built once: making the expression anew on every view cost about a fifth of the page.
    now = bindparam("now", type_=DateTime(timezone=True))
    return (
        select(
            CourseSession.id,
            CourseSession.status,
            CourseSession.starts_at,
            CourseSession.ends_at,
            CourseSession.is_online,
            CourseSession.women_only,
            CourseType.name.label("course_name"),
            CourseType.summary.label("course_summary"),
            CourseType.default_fee_pence.label("fee_pence"),
            CourseType.referral_required,
            Venue.id.label("venue_id"),
            Venue.name.label("venue_name"),
            Venue.address.label("venue_address"),
            Venue.postcode.label("venue_postcode"),
            Venue.step_free,
            Venue.hearing_loop,
            Venue.accessible_toilet,
            Venue.women_only_room,
            Venue.travel_notes,
            (CourseSession.capacity - seats_taken_column(now)).label("places_left"),
        )
        .join(CourseType, CourseType.id == CourseSession.course_type_id)
        .outerjoin(Venue, Venue.id == CourseSession.venue_id)
        .where(CourseSession.id == bindparam("session_id"))
    )


def session_details(session_id: int, *, now: datetime) -> SessionDetails | None:
    """One session for its public page, with how many places it has left, in one query, on its
    own (``single_read``)."""
    rows = single_read(_session_page_statement(), {"session_id": session_id, "now": now})
    if not rows:
        return None
    row = rows[0]
    return SessionDetails(**{**row, "places_left": max(row["places_left"], 0)})


@cache
def _listing_statements(base, women_only_first: bool, referred: bool = False):
    """The count and the page for ``listing``, built once per filter shape and order."""
    chosen = (
        base.with_only_columns(
            CourseSession.id,
            CourseSession.starts_at,
            CourseSession.women_only,
            CourseSession.course_type_id,
        )
        .order_by(*_order(women_only_first, referred=referred))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery()
    )
    page = (
        select(
            CourseSession.id,
            CourseType.name.label("course_name"),
            CourseSession.starts_at,
            CourseSession.is_online,
            CourseSession.women_only,
            CourseType.default_fee_pence.label("fee_pence"),
            CourseType.referral_required,
            Venue.name.label("venue_name"),
            Venue.postcode.label("venue_postcode"),
            (CourseSession.capacity - seats_taken_column(_moment("now"))).label("places_left"),
        )
        .join(chosen, chosen.c.id == CourseSession.id)
        .join(CourseType, CourseType.id == CourseSession.course_type_id)
        .outerjoin(Venue, Venue.id == CourseSession.venue_id)
        .order_by(*_order(women_only_first, chosen.c, referred=referred))
    )
    return _count_statement(base), page


def area_choices() -> list[tuple[str, str]]:
    """Partner force areas (where sessions happen), for the area filter."""
    forces = db.session.execute(
        select(PoliceForce.slug, PoliceForce.name)
        .where(PoliceForce.is_partner.is_(True))
        .order_by(PoliceForce.name)
    ).all()
    return [(slug, name) for slug, name in forces]


def course_type_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(CourseType.slug, CourseType.name)
        .where(CourseType.is_active.is_(True))
        .order_by(CourseType.name)
    ).all()
    return [(slug, name) for slug, name in rows]
