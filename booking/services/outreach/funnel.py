"""The funnel: who is lost between a referral and a completed course.

For each force, scheme and month a referral arrived: referred -> first contact made -> booked
-> attended -> completed, the drop-off at each stage, the median days from the referral to the
first contact and to the booking, and how many completed by their deadline.

A first contact is "made" when a step of the contact plan reached the person (a text, email or
letter sent, or a call where staff spoke to them), or when the person booked on their own.
One statement reads every referral of the period with its dates, whatever the number of
rows; the counting is done here, the same way for the page, the CSV and the forces' figures.
"""

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select

from booking.extensions import db
from booking.models import (
    Booking,
    BookingStatus,
    ContactStep,
    Notification,
    NotificationStatus,
    PoliceForce,
    Referral,
    ReferralStatus,
    Scheme,
)

STAGES = ("referred", "contacted", "booked", "attended", "completed")
STAGE_WORDS = {
    "referred": "Referred",
    "contacted": "First contact made",
    "booked": "Booked",
    "attended": "Attended",
    "completed": "Completed",
}
REACHED = (NotificationStatus.SENT, NotificationStatus.DELIVERED)
NO_SCHEME = "No scheme"


@dataclass(frozen=True)
class ReferralPath:
    """One referral's way through the funnel."""

    referral_id: int
    force: str
    scheme: str
    period: str
    arrived_at: datetime
    contacted_at: datetime | None
    booked_at: datetime | None
    attended: bool
    completed: bool
    completed_by_deadline: bool


@dataclass
class FunnelRow:
    force: str
    scheme: str
    period: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    completed_by_deadline: int = 0
    days_to_contact: list[float] = field(default_factory=list)
    days_to_booking: list[float] = field(default_factory=list)

    def drop_off(self) -> dict[str, int]:
        """How many were lost before each stage (after the first)."""
        return {
            stage: self.counts[before] - self.counts[stage]
            for before, stage in zip(STAGES, STAGES[1:], strict=False)
        }

    @property
    def median_days_to_contact(self) -> float | None:
        return _median(self.days_to_contact)

    @property
    def median_days_to_booking(self) -> float | None:
        return _median(self.days_to_booking)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _days(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max((end - start).total_seconds(), 0) / 86400


def paths(start: date, end: date, *, force_id: int | None = None) -> list[ReferralPath]:
    """Every referral made between ``start`` and ``end`` (inclusive), with its dates. One
    statement, whatever the number of referrals."""
    contacted = (
        select(
            ContactStep.referral_id.label("referral_id"),
            func.min(Notification.sent_at).label("at"),
        )
        .join(Notification, Notification.id == ContactStep.notification_id)
        .where(Notification.status.in_(REACHED), Notification.sent_at.is_not(None))
        .group_by(ContactStep.referral_id)
        .subquery()
    )
    booked = (
        select(
            Booking.referral_id.label("referral_id"),
            func.min(Booking.confirmed_at).label("at"),
            func.max(case((Booking.status == BookingStatus.ATTENDED, 1), else_=0)).label(
                "attended"
            ),
        )
        .where(Booking.referral_id.is_not(None), Booking.confirmed_at.is_not(None))
        .group_by(Booking.referral_id)
        .subquery()
    )
    statement = (
        select(
            Referral.id,
            PoliceForce.name,
            Scheme.name,
            Referral.referral_date,
            Referral.created_at,
            Referral.status,
            Referral.completed_on,
            Referral.deadline,
            contacted.c.at,
            booked.c.at,
            booked.c.attended,
        )
        .join(PoliceForce, PoliceForce.id == Referral.force_id)
        .outerjoin(Scheme, Scheme.id == Referral.scheme_id)
        .outerjoin(contacted, contacted.c.referral_id == Referral.id)
        .outerjoin(booked, booked.c.referral_id == Referral.id)
        .where(Referral.referral_date >= start, Referral.referral_date <= end)
        .order_by(Referral.id)
    )
    if force_id is not None:
        statement = statement.where(Referral.force_id == force_id)
    result = []
    for row in db.session.execute(statement):
        (ref_id, force, scheme, made_on, arrived, status, completed_on, deadline) = row[:8]
        contacted_at, booked_at, attended = row[8:]
        completed = status == ReferralStatus.COMPLETED
        if booked_at is not None and (contacted_at is None or booked_at < contacted_at):
            contacted_at = booked_at  # they booked before (or without) our contact: reached
        result.append(
            ReferralPath(
                referral_id=ref_id,
                force=force,
                scheme=scheme or NO_SCHEME,
                period=f"{made_on:%Y-%m}",
                arrived_at=arrived,
                contacted_at=contacted_at,
                booked_at=booked_at,
                attended=bool(attended) or completed,
                completed=completed,
                completed_by_deadline=completed
                and completed_on is not None
                and completed_on <= deadline,
            )
        )
    return result


def _add(row: FunnelRow, path: ReferralPath) -> None:
    reached = {
        "referred": True,
        "contacted": path.contacted_at is not None,
        "booked": path.booked_at is not None,
        "attended": path.attended,
        "completed": path.completed,
    }
    for stage in STAGES:
        row.counts[stage] += int(reached[stage])
    row.completed_by_deadline += int(path.completed_by_deadline)
    to_contact = _days(path.arrived_at, path.contacted_at)
    if to_contact is not None:
        row.days_to_contact.append(to_contact)
    to_booking = _days(path.arrived_at, path.booked_at)
    if to_booking is not None:
        row.days_to_booking.append(to_booking)


def funnel(start: date, end: date, *, force_id: int | None = None) -> list[FunnelRow]:
    """One row per force, scheme and month, in that order."""
    rows: dict[tuple[str, str, str], FunnelRow] = {}
    for path in paths(start, end, force_id=force_id):
        key = (path.force, path.scheme, path.period)
        if key not in rows:
            rows[key] = FunnelRow(*key)
        _add(rows[key], path)
    return [rows[key] for key in sorted(rows)]


def totals(rows: list[FunnelRow]) -> FunnelRow:
    """All rows together (the medians over every referral, not a median of medians)."""
    total = FunnelRow("All forces", "All schemes", "")
    for row in rows:
        for stage in STAGES:
            total.counts[stage] += row.counts[stage]
        total.completed_by_deadline += row.completed_by_deadline
        total.days_to_contact += row.days_to_contact
        total.days_to_booking += row.days_to_booking
    return total


def counts_by_force(start: date, end: date) -> dict[str, dict[str, int]]:
    """Each force's stage counts (for a commissioner's report)."""
    by_force: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for row in funnel(start, end):
        for stage in STAGES:
            by_force[row.force][stage] += row.counts[stage]
    return dict(by_force)


CSV_HEADER = [
    "force",
    "scheme",
    "month",
    *STAGES,
    "lost_before_contact",
    "lost_before_booking",
    "lost_before_attending",
    "lost_before_completing",
    "completed_by_deadline",
    "median_days_to_first_contact",
    "median_days_to_booking",
]


def _blank(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def funnel_csv(rows: list[FunnelRow]) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_HEADER)
    for row in [*rows, totals(rows)]:
        drop = row.drop_off()
        writer.writerow(
            [
                row.force,
                row.scheme,
                row.period,
                *(row.counts[stage] for stage in STAGES),
                *(drop[stage] for stage in STAGES[1:]),
                row.completed_by_deadline,
                _blank(row.median_days_to_contact),
                _blank(row.median_days_to_booking),
            ]
        )
    return output.getvalue()
