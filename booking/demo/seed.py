"""Demo data for `flask seed-demo`: idempotent, so a second run adds nothing."""

import random
from datetime import datetime, time, timedelta
from typing import TypedDict

from sqlalchemy import func, select

from booking.demo.force_contacts import seed_force_agreement, seed_force_contact
from booking.demo.forces import FORCES, PARTNERS, WELSH
from booking.demo.money import seed_money
from booking.demo.referrals import seed_referrals
from booking.demo.trainers import seed_trainers
from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    CourseSession,
    CourseType,
    Delivery,
    PoliceForce,
    Role,
    Scheme,
    SessionStatus,
    User,
    Venue,
)
from booking.services import working_days
from booking.web.filters import LONDON

DEMO_PASSWORD = "waypoint-demo"  # printed by `make run`; demo data is refused in production

DEMO_USERS = [
    ("admin@example.org", Role.ADMIN, "Alex", "Morgan"),
    # One of each narrower staff role, to see least privilege at work.
    ("scheduler@example.org", Role.SCHEDULER, "Sian", "Roberts"),
    ("finance@example.org", Role.FINANCE, "Femi", "Adeyemi"),
    ("safeguarding@example.org", Role.SAFEGUARDING, "Grace", "Okafor"),
    ("trainer.amira@example.org", Role.TRAINER, "Amira", "Khan"),
    ("trainer.ben@example.org", Role.TRAINER, "Ben", "Hughes"),
    ("trainer.carys@example.org", Role.TRAINER, "Carys", "Evans"),
    ("trainer.dev@example.org", Role.TRAINER, "Dev", "Patel"),
    ("sam@example.org", Role.ATTENDEE, "Sam", "Taylor"),
    ("jo@example.org", Role.ATTENDEE, "Jo", "Williams"),
    ("priya@example.org", Role.ATTENDEE, "Priya", "Shah"),
]

DEMO_CONTACT: dict[str, dict] = {
    "sam@example.org": dict(email_is_safe=True),
    "jo@example.org": dict(text_is_safe=True, phone_number="07700 900456"),
    "priya@example.org": dict(
        post_is_safe=True, postal_address="3 Example Terrace, Leeds, LS6 1AA"
    ),
}


class CourseTypeSpec(TypedDict):
    slug: str
    name: str
    duration_minutes: int
    default_capacity: int
    referral_required: bool
    trainers_needed: int
    default_fee_pence: int
    summary: str


COURSE_TYPES: list[CourseTypeSpec] = [
    CourseTypeSpec(
        slug="drug-awareness",
        name="Drug awareness",
        duration_minutes=180,
        default_capacity=12,
        referral_required=True,
        trainers_needed=1,
        default_fee_pence=0,
        summary="A calm, practical session about drugs, risks and staying safe.",
    ),
    CourseTypeSpec(
        slug="alcohol-awareness",
        name="Alcohol awareness",
        duration_minutes=180,
        default_capacity=12,
        referral_required=True,
        trainers_needed=1,
        default_fee_pence=0,
        summary="Understanding alcohol, its effects, and choices that keep you well.",
    ),
    CourseTypeSpec(
        slug="family-support",
        name="Family and carers support",
        duration_minutes=120,
        default_capacity=10,
        referral_required=False,
        trainers_needed=1,
        default_fee_pence=0,
        summary="For parents, partners and carers of someone who uses drugs or alcohol.",
    ),
    CourseTypeSpec(
        slug="peer-support",
        name="Peer support group",
        duration_minutes=90,
        default_capacity=8,
        referral_required=False,
        trainers_needed=2,
        default_fee_pence=0,
        summary="Meet others who have been through a course, with two trained facilitators.",
    ),
]

VENUES = [
    ("Stevenage Community Centre", "hertfordshire", "SG1 1HN", True),
    ("St Albans Wellbeing Hub", "hertfordshire", "AL1 3JE", False),
    ("Luton Resource Centre", "bedfordshire", "LU1 2AA", True),
    ("Cambridge Meeting Rooms", "cambridgeshire", "CB1 1PT", False),
    ("Chelmsford Hub", "essex", "CM1 1BE", True),
    ("Reading Community Hall", "thames-valley", "RG1 1AZ", False),
    ("Birmingham Learning Centre", "west-midlands", "B1 1BB", True),
    ("Carmarthen Family Centre", "dyfed-powys", "SA31 1LE", False),
    ("Exeter Community Rooms", "devon-and-cornwall", "EX1 1AA", True),
    ("Bournemouth Wellbeing Centre", "dorset", "BH1 1AA", False),
    ("Bristol Meeting House", "avon-and-somerset", "BS1 4DJ", True),
    ("Maidstone Learning Rooms", "kent", "ME14 1AA", False),
]

SCHEMES = [
    (
        "hertfordshire",
        "Hertfordshire drug diversion scheme",
        "community-resolution,conditional-caution",
        90,
    ),
    (
        "thames-valley",
        "Thames Valley out-of-court resolutions",
        "community-resolution,diversionary-caution",
        60,
    ),
    (
        "west-midlands",
        "West Midlands drug education programme",
        "conditional-caution,deferred-prosecution",
        90,
    ),
    ("dyfed-powys", "Dyfed-Powys diversion scheme", "community-resolution,penalty-notice", 120),
]


def seed_demo(*, now: datetime) -> dict[str, int]:
    """Load demo data, adding only what is missing. Returns how many rows of each were added."""
    added = {"forces": 0, "course_types": 0, "venues": 0, "schemes": 0, "users": 0, "sessions": 0}
    forces = {f.slug: f for f in db.session.scalars(select(PoliceForce))}
    for slug, name in FORCES:
        if slug not in forces:
            forces[slug] = PoliceForce(
                slug=slug,
                name=name,
                country="Wales" if slug in WELSH else "England",
                is_partner=slug in PARTNERS,
            )
            db.session.add(forces[slug])
            added["forces"] += 1

    course_types = {c.slug: c for c in db.session.scalars(select(CourseType))}
    for spec in COURSE_TYPES:
        if spec["slug"] not in course_types:
            course_types[spec["slug"]] = CourseType(delivery=Delivery.IN_PERSON, **spec)
            db.session.add(course_types[spec["slug"]])
            added["course_types"] += 1

    venues = {v.name: v for v in db.session.scalars(select(Venue))}
    for index, (name, slug, postcode, women_only_room) in enumerate(VENUES):
        if name not in venues:
            venues[name] = Venue(
                name=name,
                address=f"{index + 1} High Street",
                postcode=postcode,
                force=forces[slug],
                step_free=index % 3 != 2,
                hearing_loop=index % 2 == 0,
                accessible_toilet=index % 4 != 3,
                women_only_room=women_only_room,
                travel_notes="Buses stop outside. Ring the bell at the side door.",
            )
            db.session.add(venues[name])
            added["venues"] += 1

    existing_schemes = set(db.session.scalars(select(Scheme.name)))
    for slug, name, disposals, days in SCHEMES:
        if name not in existing_schemes:
            scheme = Scheme(
                force=forces[slug],
                name=name,
                disposal_types=disposals,
                days_to_complete=days,
                fee_pence=None,
            )
            scheme.course_types = [
                course_types["drug-awareness"],
                course_types["alcohol-awareness"],
            ]
            db.session.add(scheme)
            added["schemes"] += 1

    existing_users = set(db.session.scalars(select(User.email)))
    for email, role, first_name, last_name in DEMO_USERS:
        if email not in existing_users:
            user = User(email=email, role=role, first_name=first_name, last_name=last_name)
            user.set_password(DEMO_PASSWORD)
            if role == Role.ATTENDEE:
                # Demo attendees have said how it is safe to reach them, so their messages can
                # be seen: Sam by email, Jo by text only and Priya by post only (without a
                # provider, texts and letters show on the staff development outbox page).
                user_profile = AttendeeProfile(user=user, **DEMO_CONTACT.get(email, {}))
                db.session.add(user_profile)
            db.session.add(user)
            added["users"] += 1

    db.session.flush()
    added["force contacts"] = seed_force_contact(password=DEMO_PASSWORD)
    added["force agreements"] = seed_force_agreement(now=now)
    if not db.session.scalar(select(func.count(CourseSession.id))):
        added["sessions"] = _seed_sessions(list(venues.values()), course_types, now=now)
    db.session.flush()
    added["referrals"] = seed_referrals(now=now)
    added.update(seed_money(now=now))
    added["trainer profiles"] = seed_trainers(now=now)
    return added


def _seed_sessions(
    venues: list[Venue], course_types: dict[str, CourseType], *, now: datetime
) -> int:
    """About three months of sessions: weekly in each venue, plus online and women-only groups.

    Venue groups meet Monday to Friday, as the charity's do, whatever day the demo is made on
    (so the demo trainers, free on weekdays, can staff them)."""
    rng = random.Random(2026)
    start_day = now.astimezone(LONDON).date() + timedelta(days=1)
    last_day = start_day + timedelta(weeks=13)
    first_monday = start_day - timedelta(days=start_day.weekday())
    created = 0

    def add(course_type, day, start, **fields) -> int:
        # Groups do not meet on bank holidays (25 December, Easter Monday, ...).
        if not start_day <= day < last_day or working_days.is_bank_holiday(day):
            return 0
        return _add(course_type, day, start, **fields)

    awareness = [course_types["drug-awareness"], course_types["alcohol-awareness"]]
    for week in range(14):
        monday = first_monday + timedelta(weeks=week)
        for venue in venues:
            course_type = awareness[(week + venue.id) % 2]
            women_only = venue.women_only_room and week % 3 == 0
            created += add(
                course_type,
                monday + timedelta(days=venue.id % 5),
                time(10, 0),
                venue=venue,
                women_only=women_only,
                capacity=course_type.default_capacity - (4 if women_only else 0),
            )
        online_day = monday + timedelta(days=2)
        created += add(awareness[week % 2], online_day, time(18, 30), venue=None)
        created += add(
            course_types["family-support"], online_day + timedelta(days=1), time(19, 0), venue=None
        )
        if week % 2 == 0:
            peer_venue = rng.choice(venues)
            created += add(
                course_types["peer-support"],
                online_day + timedelta(days=2),
                time(14, 0),
                venue=peer_venue,
            )
        if week % 4 == 1:
            created += add(
                awareness[0],
                online_day + timedelta(days=3),
                time(11, 0),
                venue=None,
                women_only=True,
                capacity=8,
            )
    return created


def _add(course_type, day, start, *, venue, women_only=False, capacity=None) -> int:
    starts_at = datetime.combine(day, start, tzinfo=LONDON)
    db.session.add(
        CourseSession(
            course_type=course_type,
            venue=venue,
            force_id=venue.force_id if venue else None,
            is_online=venue is None,
            online_join_url="https://meet.example.org/waypoint" if venue is None else "",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=course_type.duration_minutes),
            capacity=capacity or course_type.default_capacity,
            women_only=women_only,
            status=SessionStatus.SCHEDULED,
        )
    )
    return 1
