"""Reports on money for a financial year: fund spending by month and force, fees and refunds."""

from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    FundLedgerEntry,
    HardshipFund,
    LedgerKind,
    Payment,
    PaymentStatus,
    PoliceForce,
    Refund,
)
from booking.services.clock import LONDON
from booking.services.money.fund import financial_year_of


def year_bounds(year_starting: int) -> tuple[datetime, datetime]:
    """1 April 00:00 to the next 1 April 00:00, London time, as UTC instants."""
    start = datetime(year_starting, 4, 1, tzinfo=LONDON).astimezone(UTC)
    end = datetime(year_starting + 1, 4, 1, tzinfo=LONDON).astimezone(UTC)
    return start, end


def months_of(year_starting: int) -> list[date]:
    """The twelve months of a financial year, April first."""
    return [date(year_starting + (m < 4), m, 1) for m in (*range(4, 13), *range(1, 4))]


def _month(moment: datetime) -> date:
    local = moment.astimezone(LONDON)
    return date(local.year, local.month, 1)


def money_report(year_starting: int) -> dict:
    """Fund spending (awards less reversals) by month and by police force, and fees received
    and refunded by month, for one financial year. A fixed number of queries whatever the data.
    """
    start, end = year_bounds(year_starting)
    months = months_of(year_starting)
    spending: defaultdict[date, int] = defaultdict(int)
    by_force: defaultdict[str, int] = defaultdict(int)
    entries = db.session.execute(
        select(FundLedgerEntry.created_at, FundLedgerEntry.amount_pence, PoliceForce.name)
        .join(HardshipFund, HardshipFund.id == FundLedgerEntry.fund_id)
        .outerjoin(PoliceForce, PoliceForce.id == FundLedgerEntry.force_id)
        .where(HardshipFund.year_starting == year_starting)
        .where(FundLedgerEntry.kind != LedgerKind.TOP_UP)
    ).all()
    for created_at, amount, force_name in entries:
        spending[_month(created_at)] -= amount
        by_force[force_name or "Online or no force area"] -= amount
    received: defaultdict[date, int] = defaultdict(int)
    for paid_at, amount in db.session.execute(
        select(Payment.paid_at, Payment.amount_pence).where(
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.paid_at >= start,
            Payment.paid_at < end,
        )
    ):
        if paid_at is not None:  # always set on a succeeded payment; the filter keeps only those
            received[_month(paid_at)] += amount
    refunded: defaultdict[date, int] = defaultdict(int)
    for created_at, amount in db.session.execute(
        select(Refund.created_at, Refund.amount_pence).where(
            Refund.created_at >= start, Refund.created_at < end
        )
    ):
        refunded[_month(created_at)] += amount
    rows = [
        {
            "month": month,
            "fund_spent": spending[month],
            "fees_received": received[month],
            "fees_refunded": refunded[month],
        }
        for month in months
    ]
    forces = sorted(by_force.items(), key=lambda item: (-item[1], item[0]))
    return {
        "year_starting": year_starting,
        "rows": rows,
        "by_force": [{"force": name, "fund_spent": amount} for name, amount in forces],
        "totals": {
            key: sum(row[key] for row in rows)
            for key in ("fund_spent", "fees_received", "fees_refunded")
        },
    }


def bar_chart(values: list[tuple[str, int]], *, width: int = 640, bar_height: int = 22) -> dict:
    """Geometry for a horizontal bar chart drawn as SVG by the template (no script, no CDN)."""
    label_width, gap = 170, 6
    top = max((value for _, value in values), default=0) or 1
    usable = width - label_width - 90
    bars = [
        {
            "label": label,
            "value": value,
            "y": index * (bar_height + gap),
            "width": max(round(max(value, 0) / top * usable), 0),
        }
        for index, (label, value) in enumerate(values)
    ]
    return {
        "width": width,
        "height": max(len(bars) * (bar_height + gap), bar_height),
        "bar_height": bar_height,
        "label_width": label_width,
        "bars": bars,
    }


def fund_overview(now: datetime) -> list[tuple[HardshipFund, int]]:
    """This financial year's funds with their balances, for the staff dashboard (two queries)."""
    funds = db.session.scalars(
        select(HardshipFund)
        .options(joinedload(HardshipFund.force))
        .where(HardshipFund.year_starting == financial_year_of(now))
        .order_by(HardshipFund.id)
    ).all()
    balances: dict[int, int] = defaultdict(int)
    if funds:
        balances.update(
            db.session.execute(
                select(FundLedgerEntry.fund_id, func.sum(FundLedgerEntry.amount_pence))
                .where(FundLedgerEntry.fund_id.in_([f.id for f in funds]))
                .group_by(FundLedgerEntry.fund_id)
            ).all()
        )
    return [(fund, balances[fund.id]) for fund in funds]
