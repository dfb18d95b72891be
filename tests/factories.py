"""Small factories that build real rows through the models (no mocks)."""

import itertools
from datetime import datetime, timedelta
from functools import cache

from werkzeug.security import generate_password_hash

from booking.extensions import db
from booking.models import (
    CourseSession,
    CourseType,
    Delivery,
    PoliceForce,
    Role,
    SessionStatus,
    User,
    Venue,
    utcnow,
)
from booking.services.bookings.ending_policy import EndingPolicy

PASSWORD = "correct horse battery"


def claim_url(token: str) -> str:
    return f"http://test/waiting-list/claim/{token}"


# What the app builds from TestConfig (WAITLIST_OFFER_HOURS 24, REFUND_FULL_DAYS_BEFORE 7), for
# tests that call the services directly.
ENDING_POLICY = EndingPolicy(offer_hours=24, claim_url=claim_url, full_refund_days_before=7)


@cache
def _password_hash() -> str:
    """Hash PASSWORD once per run: a real hash, but not hundreds of slow ones."""
    return generate_password_hash(PASSWORD)


_counter = itertools.count(1)


def force(slug: str | None = None, *, is_partner: bool = True) -> PoliceForce:
    slug = slug or f"force-{next(_counter)}"
    existing = db.session.query(PoliceForce).filter_by(slug=slug).one_or_none()
    if existing:
        return existing
    row = PoliceForce(slug=slug, name=slug.replace("-", " ").title(), is_partner=is_partner)
    db.session.add(row)
    db.session.flush()
    return row


def course_type(**fields) -> CourseType:
    number = next(_counter)
    values = dict(
        slug=f"course-{number}",
        name=f"Course {number}",
        duration_minutes=120,
        delivery=Delivery.IN_PERSON,
        default_capacity=10,
        trainers_needed=1,
        default_fee_pence=0,
    )
    values.update(fields)
    row = CourseType(**values)
    db.session.add(row)
    db.session.flush()
    return row


def venue(force_row: PoliceForce | None = None, **fields) -> Venue:
    number = next(_counter)
    values = dict(
        name=f"Venue {number}",
        address=f"{number} High Street",
        postcode="AB1 2CD",
        force=force_row or force(),
        step_free=True,
    )
    values.update(fields)
    row = Venue(**values)
    db.session.add(row)
    db.session.flush()
    return row


def course_session(
    *,
    starts_at: datetime | None = None,
    capacity: int = 10,
    online: bool = False,
    venue_row: Venue | None = None,
    course_type_row: CourseType | None = None,
    **fields,
) -> CourseSession:
    # Mid-morning, a week ahead: a two-hour session never runs past midnight, whenever tests run.
    starts_at = starts_at or (utcnow() + timedelta(days=7)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    chosen_venue = None if online else (venue_row or venue())
    row = CourseSession(
        course_type=course_type_row or course_type(),
        venue=chosen_venue,
        force_id=chosen_venue.force_id if chosen_venue else None,
        is_online=online,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=capacity,
        **{"status": SessionStatus.SCHEDULED, **fields},
    )
    db.session.add(row)
    db.session.flush()
    return row


def user(role: Role = Role.ATTENDEE, *, email: str | None = None, **fields) -> User:
    number = next(_counter)
    row = User(
        email=email or f"{role.value}{number}@example.org",
        role=role,
        first_name=fields.pop("first_name", f"Person{number}"),
        last_name=fields.pop("last_name", "Example"),
        **fields,
    )
    row.password_hash = _password_hash()
    db.session.add(row)
    db.session.flush()
    return row
