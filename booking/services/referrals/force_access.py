"""What a police force may do with its own referrals, through the API or its contacts' pages.

Every function takes the force and touches only that force's referrals: another force's
referral is "not found", never "forbidden", so ids cannot be probed.
"""

import base64
import binascii
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
        earlier = db.session.scalar(
            select(Referral).where(
                Referral.force_id == force.id, Referral.idempotency_key == idempotency_key
            )
        )
        if earlier is not None:
            reference = normalise_reference(values.get("police_reference", ""))
            if reference != earlier.police_reference:
                raise ReferralError("idempotency_key_reused", referral_id=earlier.id)
            return Created(earlier, replayed=True)
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


def encode_cursor(moment: datetime, referral_id: int) -> str:
    raw = f"{moment.isoformat()}|{referral_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError for anything that is not a cursor this API gave out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, id_text = raw.split("|", 1)
        moment = datetime.fromisoformat(moment_text)
        referral_id = int(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("The cursor is not one this API gave out.") from error
    if moment.tzinfo is None:
        raise ValueError("The cursor is not one this API gave out.")
    try:
        return moment.astimezone(UTC), referral_id
    except OverflowError as error:  # a time zone offset past the first or last year
        raise ValueError("The cursor is not one this API gave out.") from error


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


def outcomes(force: PoliceForce, start: date, end: date) -> list[Referral]:
    """The force's referrals that reached an outcome (completed, not completed, withdrawn)
    on a UK day from ``start`` to ``end`` inclusive, in the order they closed."""
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
