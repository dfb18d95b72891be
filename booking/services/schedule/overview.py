"""The staff dashboard's figures: how many are waiting in each queue, and the data behind its
charts. Each figure is one query whatever the amount of data, so the dashboard stays quick."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from booking.extensions import db
from booking.models import (
    Booking,
    Channel,
    CourseSession,
    CourseType,
    FundLedgerEntry,
    HardshipFund,
    LedgerKind,
    Notification,
    NotificationStatus,
    PoliceForce,
    SessionAssignment,
    SessionStatus,
    WaitingListEntry,
    WaiverRequest,
    WaiverStatus,
)
from booking.services.bookings.seats import open_offer_condition
from booking.services.clock import LONDON
from booking.services.money import refunds
from booking.services.money.fund import financial_year_of
from booking.services.referrals import reminders
from booking.services.schedule import desk

ONLINE = "Online"


# --- queues ---------------------------------------------------------------------------------


def help_requests_waiting(*, now: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count(WaiverRequest.id)).where(WaiverRequest.status == WaiverStatus.PENDING)
        )
        or 0
    )


def refunds_to_decide(*, now: datetime) -> int:
    # The money pages own the rule for which payments wait on a decision; count their list.
    return len(refunds.payments_to_decide())


def sessions_short_of_trainers(*, now: datetime) -> int:
    assigned = (
        select(SessionAssignment.session_id, func.count().label("n"))
        .group_by(SessionAssignment.session_id)
        .subquery()
    )
    return (
        db.session.scalar(
            select(func.count(CourseSession.id))
            .join(CourseType, CourseType.id == CourseSession.course_type_id)
            .outerjoin(assigned, assigned.c.session_id == CourseSession.id)
            .where(
                CourseSession.status == SessionStatus.SCHEDULED,
                CourseSession.starts_at > now,
                func.coalesce(assigned.c.n, 0) < CourseType.trainers_needed,
            )
        )
        or 0
    )


def sessions_awaiting_closure(*, now: datetime) -> int:
    return desk.count_awaiting_closure(now=now)


def waiting_lists_with_open_offers(*, now: datetime) -> int:
    """Sessions where a freed place is on offer to someone waiting and not yet taken."""
    return (
        db.session.scalar(
            select(func.count(func.distinct(WaitingListEntry.session_id))).where(
                open_offer_condition(now)
            )
        )
        or 0
    )


def calls_to_make(*, now: datetime) -> int:
    """Messages that only a phone call can carry, still to be made."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.channel == Channel.CALL,
                Notification.status == NotificationStatus.PENDING,
            )
        )
        or 0
    )


def messages_withheld_or_failed(*, now: datetime) -> int:
    """Messages that reached nobody and that nothing (a resend, a call) has taken over yet."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.status.in_([NotificationStatus.WITHHELD, NotificationStatus.FAILED]),
                Notification.followed_by_id.is_(None),
            )
        )
        or 0
    )


def referrals_near_deadline_unbooked(*, now: datetime) -> int:
    """Open referrals, not yet booked, whose deadline is close (the near-deadline list)."""
    return len(reminders.near_deadline_unbooked(now=now))


# --- charts ---------------------------------------------------------------------------------


@dataclass
class WeeklyBookings:
    """Bookings made per week (Monday to Sunday, UK time), by the area of the session."""

    weeks: list[date]
    areas: list[str]
    counts: dict[tuple[date, str], int]

    def row(self, week: date) -> list[int]:
        return [self.counts.get((week, area), 0) for area in self.areas]

    def totals(self) -> list[tuple[date, int]]:
        return [(week, sum(self.row(week))) for week in self.weeks]


def bookings_per_week_by_area(*, now: datetime, weeks: int = 8) -> WeeklyBookings:
    """The last ``weeks`` weeks, this one included: one query that counts in SQL, grouped by
    week and area, so the rows read are weeks × areas however many bookings were made."""
    today = now.astimezone(LONDON).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    # Each week starts at Monday midnight UK time: its start in UTC is a bound value, so the
    # week a booking falls in is a CASE over those starts, the same on PostgreSQL and SQLite.
    starts = [datetime.combine(monday, time(0), LONDON) for monday in mondays]
    week = case(
        *[
            (Booking.created_at >= start, index)
            for index, start in reversed(list(enumerate(starts)))
        ]
    ).label("week")
    rows = db.session.execute(
        select(week, PoliceForce.name, func.count(Booking.id))
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .outerjoin(PoliceForce, PoliceForce.id == CourseSession.force_id)
        .where(Booking.created_at >= starts[0])
        .group_by(week, PoliceForce.name)
    ).all()
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for index, area, count in rows:
        counts[(mondays[index], area or ONLINE)] += count
    areas = sorted({area for _, area in counts})
    return WeeklyBookings(weeks=mondays, areas=areas, counts=dict(counts))


@dataclass(frozen=True)
class FillRate:
    area: str
    sessions: int
    places: int
    taken: int

    @property
    def percent(self) -> int:
        return round(100 * self.taken / self.places) if self.places else 0


def fill_rate_by_area(*, now: datetime, days: int = 28) -> list[FillRate]:
    """Places taken against places offered on sessions in the next ``days`` days, by area:
    one query, summed in SQL (a row per area)."""
    filters = desk.SessionFilters(
        date_from=now.astimezone(LONDON).date(),
        date_to=(now + timedelta(days=days)).astimezone(LONDON).date(),
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for area, sessions, places, taken in desk.totals_by_area(filters, now=now):
        row = totals[area or ONLINE]
        row[0] += sessions
        row[1] += places
        row[2] += taken
    return [FillRate(area, *totals[area]) for area in sorted(totals)]


@dataclass(frozen=True)
class FundUse:
    label: str
    budget_pence: int
    spent_pence: int

    @property
    def percent(self) -> int:
        return round(100 * self.spent_pence / self.budget_pence) if self.budget_pence else 0


def fund_spent_against_budget(*, now: datetime) -> list[FundUse]:
    """This financial year's funds: the budget, and what was given out (awards less the awards
    given back), in two queries."""
    funds = db.session.scalars(
        select(HardshipFund)
        .where(HardshipFund.year_starting == financial_year_of(now))
        .order_by(HardshipFund.id)
    ).all()
    spent: dict[int, int] = defaultdict(int)
    if funds:
        # Awards are negative and reversals positive: their sum, negated, is what was given out.
        for fund_id, amount in db.session.execute(
            select(FundLedgerEntry.fund_id, func.sum(FundLedgerEntry.amount_pence))
            .where(
                FundLedgerEntry.fund_id.in_([f.id for f in funds]),
                FundLedgerEntry.kind.in_([LedgerKind.AWARD, LedgerKind.REVERSAL]),
            )
            .group_by(FundLedgerEntry.fund_id)
        ):
            spent[fund_id] = -int(amount or 0)
    return [FundUse(f.label, f.budget_pence, max(spent[f.id], 0)) for f in funds]
