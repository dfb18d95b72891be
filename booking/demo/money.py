"""Demo data for fees and the hardship fund (called from demo.seed_demo; idempotent)."""

from datetime import datetime

from sqlalchemy import select

from booking.extensions import db
from booking.models import CourseType, HardshipFund
from booking.services.money import fund

DEMO_FEES = {"alcohol-awareness": 3000, "family-support": 4500}
DEMO_FUND_NAME = "Hardship fund"
DEMO_FUND_BUDGET = 150_000  # £1,500
DEMO_PER_PERSON_CAP = 11_000  # £110


def seed_money(*, now: datetime) -> dict[str, int]:
    """Give two course types a modest fee and open this financial year's hardship fund."""
    added = {"fees": 0, "funds": 0}
    year = fund.financial_year_of(now)
    if db.session.scalar(select(HardshipFund.id).where(HardshipFund.year_starting == year)):
        return added
    for course_type in db.session.scalars(select(CourseType).where(CourseType.slug.in_(DEMO_FEES))):
        if not course_type.default_fee_pence:
            course_type.default_fee_pence = DEMO_FEES[course_type.slug]
            added["fees"] += 1
    fund.create_fund(
        year_starting=year,
        name=DEMO_FUND_NAME,
        funder="Charity reserves",
        budget_pence=DEMO_FUND_BUDGET,
        per_person_cap_pence=DEMO_PER_PERSON_CAP,
        by=None,
        now=now,
    )
    added["funds"] += 1
    return added
