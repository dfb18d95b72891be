"""Demo referrals for partner forces (idempotent), so booking by reference can be tried."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import CourseType, PoliceForce, Referral
from booking.services.referrals.admin import scheme_for
from booking.web.filters import LONDON

# (force slug, police reference, first name, surname, date of birth, course type slug)
DEMO_REFERRALS = [
    ("hertfordshire", "HT-2026-0001", "Sam", "Taylor", date(1990, 4, 1), "drug-awareness"),
    ("hertfordshire", "HT-2026-0002", "Riley", "Jones", date(1985, 11, 23), "alcohol-awareness"),
    ("thames-valley", "TV-2026-0001", "Morgan", "Brown", date(1998, 7, 14), "drug-awareness"),
    ("west-midlands", "WM-2026-0001", "Casey", "Ahmed", date(2001, 2, 9), "drug-awareness"),
]
DEMO_LOOKUP = ("HT-2026-0001", "Taylor", "1990-04-01")


def seed_referrals(*, now: datetime) -> int:
    """Add the demo referrals that are missing. Returns how many were added."""
    today = now.astimezone(LONDON).date()
    forces = {force.slug: force for force in db.session.scalars(select(PoliceForce))}
    course_types = {row.slug: row for row in db.session.scalars(select(CourseType))}
    existing = set(db.session.scalars(select(Referral.police_reference)))
    added = 0
    for slug, reference, first_name, last_name, born, course_slug in DEMO_REFERRALS:
        if reference in existing or slug not in forces or course_slug not in course_types:
            continue
        force, course_type = forces[slug], course_types[course_slug]
        scheme = scheme_for(force, course_type)
        referred = today - timedelta(days=7)
        db.session.add(
            Referral(
                force_id=force.id,
                scheme_id=scheme.id if scheme else None,
                course_type_id=course_type.id,
                police_reference=reference,
                first_name=first_name,
                last_name=last_name,
                date_of_birth=born,
                disposal_type="community-resolution",
                referral_date=referred,
                deadline=referred + timedelta(days=scheme.days_to_complete if scheme else 90),
                created_at=now,
            )
        )
        added += 1
    db.session.flush()
    return added
