"""The small world the booking-core machine plays in: a few sessions, people, referrals, a fund.

Built through the real models (tests/factories.py) at a fixed starting time, so every example
starts from the same rows and the printed steps can be replayed.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from booking.extensions import db
from booking.models import AttendeeProfile, Role
from booking.services.money import fund
from tests import factories
from tests.referral_factories import referral

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday in financial year 2026/27
FEE = 3000
REFERRAL_FEE = 4500
FUND_BUDGET = 6000
LAST_DAY = timedelta(days=9)  # the last session (day 8) has ended


@dataclass(frozen=True)
class World:
    """Row ids, by the index the machine's rules draw (so a printed step reads ``session=2``)."""

    sessions: tuple[int, ...]
    people: tuple[int, ...]
    referrals: tuple[int, ...]
    staff: int
    fund: int


def _day(days: int) -> date:
    return (START + timedelta(days=days)).date()


def _to(person_id: int) -> dict:
    return {"user_id": person_id, "referral_date": _day(-3)}


def build() -> World:
    """Five sessions, four people (two want a women-only group), three referrals, one fund.

    - session 0: free course, 2 places, in 3 days
    - session 1: £30 course, 2 places, in 3 days
    - session 2: £30 course, women-only, 1 place, in 4 days
    - session 3: referral-only course (£45), 2 places, in 3 days
    - session 4: referral-only course (£45), 1 place, in 8 days (early enough for a full refund)
    - referral 0: person 1, referral-only course, deadline in 5 days (session 4 ends too late)
    - referral 1: person 2, referral-only course, deadline in 30 days
    - referral 2: person 3 (wants women-only), the £30 course, deadline in 30 days
    """
    force = factories.force("machine-force")
    venue = factories.venue(force, women_only_room=True)
    free = factories.course_type(default_fee_pence=0, default_capacity=2)
    paid = factories.course_type(default_fee_pence=FEE, default_capacity=2)
    referral_only = factories.course_type(
        default_fee_pence=REFERRAL_FEE, default_capacity=2, referral_required=True
    )

    def session(course_type, days: int, capacity: int, **fields):
        return factories.course_session(
            starts_at=START + timedelta(days=days, hours=2),
            capacity=capacity,
            venue_row=venue,
            course_type_row=course_type,
            **fields,
        ).id

    sessions = (
        session(free, 3, 2),
        session(paid, 3, 2),
        session(paid, 4, 1, women_only=True),
        session(referral_only, 3, 2),
        session(referral_only, 8, 1),
    )
    wants_women_only = (True, False, None, True)
    people = []
    for answer in wants_women_only:
        person = factories.user(Role.ATTENDEE, created_at=START)
        db.session.add(
            AttendeeProfile(user_id=person.id, prefers_women_only=answer, email_is_safe=True)
        )
        people.append(person.id)
    referrals = (
        referral(force, referral_only, deadline=_day(5), **_to(people[1])).id,
        referral(force, referral_only, deadline=_day(30), **_to(people[2])).id,
        referral(force, paid, deadline=_day(30), **_to(people[3])).id,
    )
    staff = factories.user(Role.ADMIN)
    the_fund = fund.create_fund(
        year_starting=2026, name="Hardship fund", budget_pence=FUND_BUDGET, by=staff, now=START
    )
    db.session.commit()
    return World(
        sessions=sessions,
        people=tuple(people),
        referrals=referrals,
        staff=staff.id,
        fund=the_fund.id,
    )
