"""Demo trainer profiles and availability (idempotent), called from seed_demo."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    AvailabilitySlot,
    CourseType,
    PoliceForce,
    TrainerProfile,
    Unavailability,
    User,
)
from booking.services.trainers.calendar import new_token
from booking.web.filters import LONDON

ALL_AREAS = [
    "hertfordshire", "bedfordshire", "cambridgeshire", "essex", "thames-valley", "west-midlands",
    "dyfed-powys", "devon-and-cornwall", "dorset", "avon-and-somerset", "kent",
]  # fmt: skip

# email, areas, online, can lead women-only, most a week, home, weekdays, hours, not qualified for
DEMO_TRAINERS = [
    (
        "trainer.amira@example.org",
        ["hertfordshire", "bedfordshire", "cambridgeshire", "essex", "thames-valley",
         "west-midlands", "kent"],
        True, True, 6, "hertfordshire", range(0, 5), (time(9), time(21, 30)), [],
    ),
    (
        "trainer.ben@example.org",
        ["west-midlands", "dyfed-powys", "devon-and-cornwall", "dorset", "avon-and-somerset",
         "thames-valley", "hertfordshire", "essex"],
        True, False, 6, "west-midlands", range(0, 6), (time(9), time(20)), [],
    ),
    (
        "trainer.carys@example.org",
        ["dyfed-powys", "devon-and-cornwall", "avon-and-somerset", "dorset", "bedfordshire",
         "cambridgeshire", "kent"],
        True, True, 6, "dyfed-powys", range(1, 7), (time(9), time(21, 30)), [],
    ),
    (
        "trainer.dev@example.org", ALL_AREAS,
        False, False, 5, "essex", range(0, 7), (time(8), time(18)), ["family-support"],
    ),
]  # fmt: skip


def seed_trainers(*, now: datetime) -> int:
    """Give each demo trainer a profile, weekly availability and (Ben) a week of leave."""
    forces = {f.slug: f for f in db.session.scalars(select(PoliceForce))}
    courses = list(db.session.scalars(select(CourseType)))
    added = 0
    for email, areas, online, women_only, most, home, days, hours, not_for in DEMO_TRAINERS:
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            continue
        exists = db.session.scalars(
            select(TrainerProfile).where(TrainerProfile.user_id == user.id)
        ).first()
        if exists is not None:
            continue
        profile = TrainerProfile(
            user=user,
            calendar_token=new_token(),
            covers_online=online,
            can_lead_women_only=women_only,
            max_sessions_per_week=most,
            home_force=forces.get(home),
            course_types=[c for c in courses if c.slug not in not_for],
            forces=[forces[slug] for slug in areas if slug in forces],
        )
        profile.weekly_slots = [
            AvailabilitySlot(weekday=d, starts=hours[0], ends=hours[1]) for d in days
        ]
        if email.startswith("trainer.ben"):
            away = datetime.combine(
                now.astimezone(LONDON).date() + timedelta(days=21), time(0), LONDON
            )
            profile.unavailability = [
                Unavailability(starts_at=away, ends_at=away + timedelta(days=7), reason="Leave")
            ]
        db.session.add(profile)
        added += 1
    db.session.flush()
    return added
