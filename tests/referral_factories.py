"""Factories for referrals, built through the real models."""

import itertools
from datetime import date, timedelta

from booking.extensions import db
from booking.models import AttendeeProfile, CourseType, PoliceForce, Referral, User, utcnow

_counter = itertools.count(1)


def referral(
    force_row: PoliceForce,
    course_type_row: CourseType,
    *,
    last_name: str = "Taylor",
    date_of_birth: date = date(1990, 4, 1),
    deadline: date | None = None,
    **fields,
) -> Referral:
    today = utcnow().date()
    row = Referral(
        force_id=force_row.id,
        course_type_id=course_type_row.id,
        police_reference=fields.pop("police_reference", f"REF-{next(_counter):04d}"),
        first_name=fields.pop("first_name", "Sam"),
        last_name=last_name,
        date_of_birth=date_of_birth,
        referral_date=fields.pop("referral_date", today - timedelta(days=3)),
        deadline=deadline or today + timedelta(days=60),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def make_email_safe(person: User) -> None:
    profile = db.session.query(AttendeeProfile).filter_by(user_id=person.id).one_or_none()
    if profile is None:
        profile = AttendeeProfile(user_id=person.id)
        db.session.add(profile)
    profile.email_is_safe = True
    db.session.flush()
