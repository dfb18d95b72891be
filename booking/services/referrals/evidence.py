"""Evidence for commissioners: what happened to the referrals a force (or every force) made in a
period. A fixed number of statements whatever the number of referrals; figures are counts of
rows, so a test can check each against a raw count.

Hooks for figures other parts of Waypoint will provide: ``first_contact_days`` (median days to
first contact) and ``help_to_attend_spend_pence`` (help-to-attend spend by line) stay None until
their data exists, and the page and CSV show "not yet measured".
"""

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import distinct, func, select

from booking.extensions import db
from booking.models import AttendeeProfile, Booking, CourseSession, Referral, ReferralStatus

# Any group smaller than this is shown as "fewer than 5", so nobody can be singled out.
SMALLEST_SHOWN = 5
AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200))


@dataclass
class Evidence:
    start: date
    end: date
    referred: int = 0
    booked: int = 0
    attended: int = 0
    completed: int = 0
    completed_before_deadline: int = 0
    not_completed: int = 0
    withdrawn: int = 0
    still_open: int = 0
    median_days_to_completion: float | None = None
    women_only_demand: int = 0
    women_only_places: int = 0
    age_bands: dict[str, int | None] = field(default_factory=dict)  # None: fewer than 5
    # Hooks for figures measured elsewhere (None: not yet measured).
    first_contact_days: float | None = None
    help_to_attend_spend_pence: dict[str, int] | None = None

    @property
    def stages(self) -> list[tuple[str, int]]:
        return [
            ("Referred", self.referred),
            ("Booked", self.booked),
            ("Attended", self.attended),
            ("Completed", self.completed),
        ]


def _age_band(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}–{high}"
    return "under 18"


def suppress(counts: dict[str, int]) -> dict[str, int | None]:
    """Counts with any group under SMALLEST_SHOWN replaced by None (shown as fewer than 5)."""
    return {name: (count if count >= SMALLEST_SHOWN else None) for name, count in counts.items()}


def report(force_id: int | None, start: date, end: date) -> Evidence:
    """The evidence for referrals made from ``start`` to ``end`` inclusive, for one force or
    (``force_id`` None) every force. Four statements, whatever the size of the data."""
    in_period = [Referral.referral_date >= start, Referral.referral_date <= end]
    if force_id is not None:
        in_period.append(Referral.force_id == force_id)
    evidence = Evidence(start=start, end=end)
    rows = db.session.execute(
        select(
            Referral.status,
            Referral.referral_date,
            Referral.deadline,
            Referral.completed_on,
            Referral.date_of_birth,
        ).where(*in_period)
    ).all()
    days_to_completion = []
    bands: dict[str, int] = {}
    for status, referred_on, deadline, completed_on, born in rows:
        evidence.referred += 1
        band = _age_band(born, referred_on)
        bands[band] = bands.get(band, 0) + 1
        if status == ReferralStatus.COMPLETED:
            evidence.completed += 1
            if completed_on is not None:
                days_to_completion.append((completed_on - referred_on).days)
                if completed_on <= deadline:
                    evidence.completed_before_deadline += 1
        elif status == ReferralStatus.NOT_COMPLETED:
            evidence.not_completed += 1
        elif status == ReferralStatus.WITHDRAWN:
            evidence.withdrawn += 1
        else:
            evidence.still_open += 1
    # Attending completes a referral, so the attended stage is the completed one.
    evidence.attended = evidence.completed
    evidence.median_days_to_completion = (
        statistics.median(days_to_completion) if days_to_completion else None
    )
    evidence.age_bands = suppress(dict(sorted(bands.items())))
    evidence.booked = (
        db.session.scalar(
            select(func.count(distinct(Booking.referral_id)))
            .join(Referral, Referral.id == Booking.referral_id)
            .where(*in_period)
        )
        or 0
    )
    evidence.women_only_demand = (
        db.session.scalar(
            select(func.count(distinct(Referral.id)))
            .join(AttendeeProfile, AttendeeProfile.user_id == Referral.user_id)
            .where(*in_period, AttendeeProfile.prefers_women_only.is_(True))
        )
        or 0
    )
    evidence.women_only_places = (
        db.session.scalar(
            select(func.coalesce(func.sum(CourseSession.capacity), 0)).where(
                CourseSession.women_only.is_(True),
                func.date(CourseSession.starts_at) >= start,
                func.date(CourseSession.starts_at) <= end,
            )
        )
        or 0
    )
    return evidence


def as_csv_rows(evidence: Evidence) -> list[tuple[str, str]]:
    """The report as (figure, value) rows; hidden counts say so, hooks say not yet measured."""

    def shown(value) -> str:
        return "fewer than 5" if value is None else str(value)

    rows = [("period", f"{evidence.start.isoformat()} to {evidence.end.isoformat()}")]
    rows += [(f"stage: {name.lower()}", str(count)) for name, count in evidence.stages]
    rows += [
        ("completed before the deadline", str(evidence.completed_before_deadline)),
        ("not completed", str(evidence.not_completed)),
        ("withdrawn", str(evidence.withdrawn)),
        ("still open", str(evidence.still_open)),
        (
            "median days to completion",
            ""
            if evidence.median_days_to_completion is None
            else str(evidence.median_days_to_completion),
        ),
        ("median days to first contact", "not yet measured"),
        ("help-to-attend spend", "not yet measured"),
        ("women-only: people asking", str(evidence.women_only_demand)),
        ("women-only: places offered", str(evidence.women_only_places)),
    ]
    rows += [(f"age {band}", shown(count)) for band, count in evidence.age_bands.items()]
    return rows
