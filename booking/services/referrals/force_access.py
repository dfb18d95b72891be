"""What a police force may do with its own referrals, through the API or its contacts' pages.

Every function takes the force and touches only that force's referrals: another force's
referral is "not found", never "forbidden", so ids cannot be probed.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import PoliceForce, Referral, User
from booking.services.bookings import catalogue
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.clock import LONDON
from booking.services.errors import ReferralError
from booking.services.input_rules import EARLIEST_DATE, LATEST_DATE
from booking.services.referrals import admin, states
from booking.services.referrals.lookup import normalise_reference

MAX_PAGE = 100
# One outcomes answer covers at most this many days (a year, with a leap day).
MAX_OUTCOME_RANGE_DAYS = 366


@dataclass
class Created:
    referral: Referral
    replayed: bool  # True when an earlier request with the same Idempotency-Key made it


def referral_for(force: PoliceForce, referral_id: int) -> Referral | None:
    return db.session.scalar(
        select(Referral)
        .options(joinedload(Referral.course_type))
        .where(Referral.id == referral_id, Referral.force_id == force.id)
    )


def create(
    force: PoliceForce,
    values: dict[str, str],
    *,
    idempotency_key: str | None,
    by: User | None,
    now: datetime,
) -> Created:
    """Create a referral once. The same Idempotency-Key returns the referral it made (a retry
    after a lost answer); the same police reference without that key is a conflict.
    Raises ReferralError("duplicate_reference" | "idempotency_key_reused") or ValueError."""
    if idempotency_key:
        earlier = replay(force, values, idempotency_key=idempotency_key)
        if earlier is not None:
            return earlier
    reference = normalise_reference(values.get("police_reference", ""))
    existing = db.session.scalar(
        select(Referral.id).where(
            Referral.force_id == force.id, Referral.police_reference == reference
        )
    )
    if existing is not None:
        raise ReferralError("duplicate_reference", referral_id=existing)
    referral = admin.create_referral(force, values, by=by, now=now)
    referral.idempotency_key = idempotency_key or None
    db.session.flush()
    return Created(referral, replayed=False)


def replay(force: PoliceForce, values: dict[str, str], *, idempotency_key: str) -> Created | None:
    """The referral an earlier create with this Idempotency-Key made (None: no such create).
    The same key with a different request is refused: ReferralError("idempotency_key_reused")."""
    earlier = db.session.scalar(
        select(Referral).where(
            Referral.force_id == force.id, Referral.idempotency_key == idempotency_key
        )
    )
    if earlier is None:
        return None
    if not _same_person(earlier, values):
        raise ReferralError("idempotency_key_reused", referral_id=earlier.id)
    return Created(earlier, replayed=True)


def _same_person(earlier: Referral, values: dict[str, str]) -> bool:
    """Whether a repeated create names the referral the key made: the same reference, surname
    and date of birth (what identifies the person), however they are spelt in spaces or case."""
    return (
        normalise_reference(values.get("police_reference", "")) == earlier.police_reference
        and (values.get("last_name") or "").strip().casefold()
        == (earlier.last_name or "").strip().casefold()
        and (values.get("date_of_birth") or "") == earlier.date_of_birth.isoformat()
    )


# A cursor is the moment of the last change (microseconds since 1970, UTC) and the referral's
# id. Every string this pattern matches is a cursor the API can read, so the document's pattern
# and what the server accepts are the same rule: an id of up to nine digits fits PostgreSQL's
# integer column (ten could overflow it and fail the query).
CURSOR_PATTERN = "^[0-9]{1,17}-[0-9]{1,9}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_cursor(moment: datetime, referral_id: int) -> str:
    return f"{(moment.astimezone(UTC) - _EPOCH) // _MICROSECOND}-{referral_id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError for anything that is not in a cursor's shape (CURSOR_PATTERN)."""
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise ValueError("The cursor is not one this API gave out.")
    micros, referral_id = cursor.split("-")
    return _EPOCH + int(micros) * _MICROSECOND, int(referral_id)


def changed_since(
    force: PoliceForce, cursor: str | None, *, limit: int
) -> tuple[list[Referral], str | None]:
    """The force's referrals changed after ``cursor`` (all of them without one), oldest change
    first, and the cursor to pass next time (the same one when nothing changed)."""
    statement = (
        select(Referral)
        .options(joinedload(Referral.course_type))
        .where(Referral.force_id == force.id)
        .order_by(Referral.updated_at, Referral.id)
        .limit(min(max(limit, 1), MAX_PAGE))
    )
    if cursor:
        moment, last_id = decode_cursor(cursor)
        statement = statement.where(
            or_(
                Referral.updated_at > moment,
                and_(Referral.updated_at == moment, Referral.id > last_id),
            )
        )
    rows = list(db.session.scalars(statement))
    if rows:
        return rows, encode_cursor(rows[-1].updated_at, rows[-1].id)
    return rows, cursor


def _start_of(day: date) -> datetime:
    # Clamped as the catalogue does: the day after 31 December 9999 does not exist, and year 1
    # is before any time zone rule.
    day = min(max(day, EARLIEST_DATE), LATEST_DATE)
    return datetime.combine(day, time.min, tzinfo=LONDON)


def covered_range(start: date, end: date) -> date | None:
    """The last day an outcomes answer covers: ``end``, or the last of MAX_OUTCOME_RANGE_DAYS
    days from ``start`` when more was asked for; None when ``end`` is before ``start``."""
    if end < start:
        return None
    if start > LATEST_DATE - timedelta(days=MAX_OUTCOME_RANGE_DAYS):
        return end
    return min(end, start + timedelta(days=MAX_OUTCOME_RANGE_DAYS - 1))


def outcomes(force: PoliceForce, start: date, end: date) -> list[Referral]:
    """The force's referrals that reached an outcome (completed, not completed, withdrawn)
    on a UK day from ``start`` to ``end`` inclusive, in the order they closed. Pass ``end``
    through covered_range first: one answer spans at most MAX_OUTCOME_RANGE_DAYS days."""
    if end < start:
        return []
    return list(
        db.session.scalars(
            select(Referral)
            .where(
                Referral.force_id == force.id,
                Referral.status.in_(states.CLOSED_STATES),
                Referral.closed_at >= _start_of(start),
                Referral.closed_at < _start_of(min(end, LATEST_DATE) + timedelta(days=1)),
            )
            .order_by(Referral.closed_at, Referral.id)
        )
    )


def withdraw(
    force: PoliceForce,
    referral_id: int,
    *,
    reason: str,
    by: User | None,
    now: datetime,
    policy: EndingPolicy,
) -> Referral:
    """The force withdraws its referral; any booking ends through the one ending function.
    Raises ReferralError("referral_not_found" | "referral_closed")."""
    # Loaded without joins: withdrawing locks the row, and PostgreSQL cannot lock through the
    # outer join an eager load would add.
    referral = db.session.scalar(
        select(Referral).where(Referral.id == referral_id, Referral.force_id == force.id)
    )
    if referral is None:
        raise ReferralError("referral_not_found")
    return admin.withdraw(
        referral, by=by, now=now, reason=reason or "Withdrawn by the force", policy=policy
    )


def sessions_that_fit(
    force: PoliceForce,
    *,
    course_type: str,
    date_from: date | None,
    date_to: date | None,
    now: datetime,
    limit: int = MAX_PAGE,
) -> list[catalogue.CatalogueEntry]:
    """Upcoming sessions of a course type in the force's area or online, with places left:
    the public catalogue's own rule, so a force sees what a person would."""
    filters = catalogue.CatalogueFilters(
        area=force.slug, course_type=course_type, date_from=date_from, date_to=date_to
    )
    return catalogue.search(filters, page=1, per_page=limit, now=now).entries


def referrals_for(force: PoliceForce, *, limit: int = MAX_PAGE) -> list[Referral]:
    """The force's most recent referrals, for its contacts' list page."""
    return list(
        db.session.scalars(
            select(Referral)
            .options(joinedload(Referral.course_type))
            .where(Referral.force_id == force.id)
            .order_by(Referral.id.desc())
            .limit(limit)
        )
    )
