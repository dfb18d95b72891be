"""Staff work on referrals: create one, import a CSV, withdraw one, report outcomes."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    CourseType,
    PoliceForce,
    Referral,
    ReferralStatus,
    Scheme,
    User,
)
from booking.services import audit, input_rules, locks
from booking.services.bookings import cancellation
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.clock import LONDON
from booking.services.errors import ReferralError
from booking.services.outreach import plan as contact_plan
from booking.services.referrals import sharing, states, webhooks
from booking.services.referrals.lookup import active_booking, normalise_reference

DEFAULT_DAYS_TO_COMPLETE = 90
CSV_COLUMNS = [
    "police_reference",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "disposal_type",
    "course_type",
    "referral_date",
    "deadline",
]


@dataclass
class RowError:
    line: int
    reason: str


class ImportRejected(Exception):
    """A CSV had bad rows; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


def scheme_for(force: PoliceForce, course_type: CourseType) -> Scheme | None:
    """The force's active scheme accepting the course type, if any."""
    return db.session.scalar(
        select(Scheme)
        .where(
            Scheme.force_id == force.id,
            Scheme.is_active.is_(True),
            Scheme.course_types.any(CourseType.id == course_type.id),
        )
        .order_by(Scheme.id)
        .limit(1)
    )


def _parse_date(value: str, what: str, window: tuple[date, date]) -> date:
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError(f"{what} must be a date like 2026-04-01") from error
    earliest, latest = window
    if not earliest <= parsed <= latest:
        raise ValueError(f"{what} must be between {earliest.isoformat()} and {latest.isoformat()}")
    return parsed


# Each text column: the referral's column it is stored in, and what a person calls it.
_TEXT_COLUMNS = {
    "police_reference": (Referral.police_reference, "police reference"),
    "first_name": (Referral.first_name, "first name"),
    "last_name": (Referral.last_name, "last name"),
    "email": (Referral.contact_email, "email"),
    "phone": (Referral.contact_phone, "phone"),
    "disposal_type": (Referral.disposal_type, "disposal type"),
    "course_type": (CourseType.slug, "course type"),
}


def _checked_text(values: dict[str, str]) -> dict[str, str]:
    """Each text value stripped, refused (never cut short) when it would not fit its column or
    holds control characters: the same rules the referral form applies."""
    checked = {}
    for name, (column, what) in _TEXT_COLUMNS.items():
        value = values.get(name, "").strip()
        if input_rules.has_control_characters(value):
            raise ValueError(f"{what} contains control characters")
        limit = input_rules.column_length(column)
        if len(value) > limit:
            raise ValueError(f"{what} is longer than {limit} characters")
        checked[name] = value
    return checked


def _build(
    force: PoliceForce, values: dict[str, str], course_types: dict[str, CourseType], today: date
):
    text = _checked_text(values)
    reference = normalise_reference(text["police_reference"])
    if not reference:
        raise ValueError("police reference is missing")
    first_name, last_name = text["first_name"], text["last_name"]
    if not first_name or not last_name:
        raise ValueError("first and last name are needed")
    date_of_birth = _parse_date(
        values.get("date_of_birth", ""), "date of birth", input_rules.birth_date_window(today)
    )
    referral_date = _parse_date(
        values.get("referral_date", ""),
        "referral date",
        input_rules.days_window(today, input_rules.REFERRAL_DATE_DAYS),
    )
    slug = text["course_type"]
    course_type = course_types.get(slug)
    if course_type is None:
        raise ValueError(f"unknown course type {slug!r}")
    scheme = scheme_for(force, course_type)
    if values.get("deadline", "").strip():
        deadline = _parse_date(
            values["deadline"],
            "deadline",
            input_rules.days_window(today, input_rules.DEADLINE_DAYS),
        )
    else:
        days = scheme.days_to_complete if scheme else DEFAULT_DAYS_TO_COMPLETE
        deadline = referral_date + timedelta(days=days)
    if deadline < referral_date:
        raise ValueError("deadline is before the referral date")
    return Referral(
        force_id=force.id,
        scheme_id=scheme.id if scheme else None,
        course_type_id=course_type.id,
        police_reference=reference,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        contact_email=text["email"],
        contact_phone=text["phone"],
        disposal_type=text["disposal_type"],
        referral_date=referral_date,
        deadline=deadline,
    )


def _course_types() -> dict[str, CourseType]:
    return {row.slug: row for row in db.session.scalars(select(CourseType))}


def _existing_references(force: PoliceForce) -> set[str]:
    return set(
        db.session.scalars(select(Referral.police_reference).where(Referral.force_id == force.id))
    )


def create_referral(force: PoliceForce, values: dict[str, str], *, by: User | None, now: datetime):
    """Create one referral and start its contact plan. Raises ValueError with a plain reason
    when a field is wrong."""
    referral = _build(force, values, _course_types(), now.astimezone(LONDON).date())
    if referral.police_reference in _existing_references(force):
        raise ValueError("this police reference already exists for this force")
    referral.created_at = now
    db.session.add(referral)
    db.session.flush()
    contact_plan.start_plan(referral, now=now)
    audit.record("referral.created", "referral", referral.id, actor=by, now=now)
    return referral


def import_csv(force: PoliceForce, text: str, *, by: User | None, now: datetime) -> list[Referral]:
    """Import referrals from CSV: every row is checked first and nothing is imported unless
    all are good. Raises ImportRejected listing each bad row by line number and reason."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        raise ImportRejected([RowError(1, f"the file is not readable as CSV ({error})")]) from error
    missing = [name for name in CSV_COLUMNS[:-1] if name not in fieldnames]
    if missing:
        raise ImportRejected([RowError(1, f"missing column(s): {', '.join(missing)}")])
    course_types = _course_types()
    today = now.astimezone(LONDON).date()
    seen = _existing_references(force)
    built: list[Referral] = []
    errors: list[RowError] = []
    try:
        for values in reader:
            line = reader.line_num
            try:
                referral = _build(
                    force, {k: v or "" for k, v in values.items() if k}, course_types, today
                )
            except ValueError as error:
                errors.append(RowError(line, str(error)))
                continue
            if referral.police_reference in seen:
                errors.append(RowError(line, "this police reference is already used"))
                continue
            seen.add(referral.police_reference)
            built.append(referral)
    except csv.Error as error:  # a broken quote or an over-long field: stop at that line
        errors.append(RowError(reader.line_num, f"the file is not readable as CSV ({error})"))
    if errors:
        raise ImportRejected(errors)
    if not built:
        raise ImportRejected([RowError(1, "the file has no rows")])
    for referral in built:
        referral.created_at = now
        db.session.add(referral)
    db.session.flush()
    for referral in built:
        contact_plan.start_plan(referral, now=now)
    db.session.flush()
    audit.record("referral.imported", "police_force", force.id, actor=by, now=now, rows=len(built))
    return built


def withdraw(
    referral: Referral, *, by: User | None, now: datetime, reason: str, policy: EndingPolicy
) -> Referral:
    """Staff withdraw a referral (the force asked). Its active booking, if any, ends through
    cancellation.end_booking (money settled, the seat offered to the waiting list).
    Closed referrals cannot be withdrawn: raises ReferralError("referral_closed")."""
    active = active_booking(referral)
    if active is not None:
        # The one lock order: the booking's session and the booking before the referral, as
        # booking for a referral locks the session before the referral.
        locks.lock_booking(active.id)
    locks.relock(referral)
    if referral.status not in states.LIVE_STATES:
        raise ReferralError("referral_closed")
    active = active_booking(referral)
    if active is not None:
        cancellation.end_booking(active, reason="referral_withdrawn", by=by, now=now, policy=policy)
    states.transition(referral, ReferralStatus.WITHDRAWN, by=by, now=now, reason=reason)
    return referral


OUTCOME_LABELS = {
    ReferralStatus.OPEN: "open",
    ReferralStatus.BOOKED: "booked",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.NOT_COMPLETED: "not completed",
    ReferralStatus.WITHDRAWN: "withdrawn",
}


# The report's columns: each is named after the field it carries (sharing.FIELDS), so a force's
# own copy passes the same allow-list as the API and the webhooks.
REPORT_COLUMNS = (
    ("police_reference", "police_reference"),
    ("referral_date", "referral_date"),
    ("deadline", "deadline"),
    ("outcome", "status"),
    ("outcome_date", "date"),
    ("outcome_code", "outcome_code"),
    ("outcome_wording", "outcome_wording"),
    ("completed_on", "completed_on"),
    ("original_deadline", "original_deadline"),
    ("extension_agreed_by", "extension_agreed_by"),
    ("extension_agreed_on", "extension_agreed_on"),
)


def outcome_report_csv(
    force: PoliceForce,
    start: date,
    end: date,
    *,
    by: User | None,
    now: datetime,
    for_the_force: bool = False,
):
    """CSV of a force's referrals made between ``start`` and ``end`` (inclusive), with outcome
    (and the force's own code and wording for it) and its date. ``for_the_force``: the copy a
    force contact downloads, holding only the columns the force's agreement allows
    (sharing.share). Records who downloaded it."""
    rows = db.session.scalars(
        select(Referral)
        .where(
            Referral.force_id == force.id,
            Referral.referral_date >= start,
            Referral.referral_date <= end,
        )
        .order_by(Referral.referral_date, Referral.police_reference)
    ).all()
    agreement = sharing.current(force.id)
    columns = [
        (name, field)
        for name, field in REPORT_COLUMNS
        if not for_the_force or field in sharing.allowed_fields(agreement)
    ]
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([name for name, _ in columns])
    for referral in rows:
        record = sharing.outcome_record(agreement, referral, webhooks.outcome_date(referral))
        record["status"] = OUTCOME_LABELS[referral.status]
        if for_the_force:
            record = sharing.share(agreement, record)
        writer.writerow([record.get(field) or "" for _, field in columns])
    audit.record(
        "referral.report_downloaded", "police_force", force.id, actor=by, now=now, rows=len(rows)
    )
    return output.getvalue()
