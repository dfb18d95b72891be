"""The hardship fund: financial years, balances and the ledger."""

from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import FundLedgerEntry, HardshipFund, LedgerKind, User
from booking.services import audit
from booking.services.clock import LONDON
from booking.services.errors import WaiverError


def financial_year_of(moment: datetime | date) -> int:
    """The year a UK financial year starts in: 1 April to 31 March, by the date in London."""
    day = moment.astimezone(LONDON).date() if isinstance(moment, datetime) else moment
    return day.year if day.month >= 4 else day.year - 1


def year_label(year_starting: int) -> str:
    return f"{year_starting}/{str(year_starting + 1)[-2:]}"


def fund_for(now: datetime, *, force_id: int | None = None) -> HardshipFund | None:
    """This financial year's fund: one given by the session's force first, else a general one."""
    funds = db.session.scalars(
        select(HardshipFund)
        .where(HardshipFund.year_starting == financial_year_of(now))
        .order_by(HardshipFund.id)
    ).all()
    for fund in funds:
        if force_id is not None and fund.force_id == force_id:
            return fund
    general = [fund for fund in funds if fund.force_id is None]
    return general[0] if general else None


def balance(fund_id: int) -> int:
    """What is left: the sum of every ledger entry (top-ups +, awards -, reversals +)."""
    return db.session.execute(
        select(func.coalesce(func.sum(FundLedgerEntry.amount_pence), 0)).where(
            FundLedgerEntry.fund_id == fund_id
        )
    ).scalar_one()


def summary(fund_id: int) -> dict[str, int]:
    """Budget (all top-ups), awarded (net of reversals) and balance, in one query."""
    is_top_up = FundLedgerEntry.kind == LedgerKind.TOP_UP
    amount = FundLedgerEntry.amount_pence
    top_ups, spent = db.session.execute(
        select(
            func.coalesce(func.sum(case((is_top_up, amount), else_=0)), 0),
            func.coalesce(func.sum(case((is_top_up, 0), else_=amount)), 0),
        ).where(FundLedgerEntry.fund_id == fund_id)
    ).one()
    return {"budget": top_ups, "awarded": -spent, "balance": top_ups + spent}


def lock_fund(fund_id: int) -> HardshipFund:
    """Lock the fund row so two decisions against its last pounds run one after the other.

    On SQLite the unit of work already holds the write lock (BEGIN IMMEDIATE).
    Raises WaiverError("busy") when the lock cannot be had in time.
    """
    try:
        # PostgreSQL gives up waiting after the connection's lock timeout (booking/database.py).
        locked = db.session.get(HardshipFund, fund_id, with_for_update=True, populate_existing=True)
    except OperationalError as error:
        raise WaiverError("busy") from error
    if locked is None:
        raise WaiverError("no_fund")
    return locked


def create_fund(
    *,
    year_starting: int,
    name: str,
    budget_pence: int,
    funder: str = "",
    force_id: int | None = None,
    per_person_cap_pence: int | None = None,
    by: User | None,
    now: datetime,
) -> HardshipFund:
    """Open a fund for a financial year; its budget is the first top-up in the ledger.

    Raises WaiverError("fund_exists") for a second fund of the same name and year, and
    WaiverError("amount_invalid") for a negative budget.
    """
    if budget_pence is None or budget_pence < 0:
        raise WaiverError("amount_invalid")
    existing = db.session.scalar(
        select(HardshipFund.id).where(
            HardshipFund.year_starting == year_starting, HardshipFund.name == name
        )
    )
    if existing:
        raise WaiverError("fund_exists")
    fund = HardshipFund(
        year_starting=year_starting,
        name=name.strip()[:160],
        funder=funder.strip()[:160],
        force_id=force_id,
        budget_pence=budget_pence,
        per_person_cap_pence=per_person_cap_pence,
        created_at=now,
    )
    db.session.add(fund)
    db.session.flush()
    if budget_pence:
        add_ledger_entry(
            fund, LedgerKind.TOP_UP, budget_pence, note="Opening budget", by=by, now=now
        )
    audit.record("fund.created", "hardship_fund", fund.id, actor=by, now=now, budget=budget_pence)
    return fund


def top_up(
    fund_id: int, *, amount_pence: int, note: str, by: User, now: datetime
) -> FundLedgerEntry:
    """Add money to a fund. Raises WaiverError("amount_invalid")."""
    if amount_pence is None or amount_pence <= 0:
        raise WaiverError("amount_invalid")
    fund = lock_fund(fund_id)
    fund.budget_pence += amount_pence
    entry = add_ledger_entry(fund, LedgerKind.TOP_UP, amount_pence, note=note, by=by, now=now)
    audit.record("fund.top_up", "hardship_fund", fund.id, actor=by, now=now, amount=amount_pence)
    return entry


def ledger(fund_id: int) -> list[FundLedgerEntry]:
    """A fund's entries, newest first, with who made each (one query)."""
    return list(
        db.session.scalars(
            select(FundLedgerEntry)
            .options(joinedload(FundLedgerEntry.created_by))
            .where(FundLedgerEntry.fund_id == fund_id)
            .order_by(FundLedgerEntry.created_at.desc(), FundLedgerEntry.id.desc())
        )
    )


def add_ledger_entry(
    fund: HardshipFund,
    kind: LedgerKind,
    amount_pence: int,
    *,
    note: str = "",
    by: User | None,
    now: datetime,
    waiver_request_id: int | None = None,
    force_id: int | None = None,
) -> FundLedgerEntry:
    """Write one signed movement of a fund (awards negative, top-ups and reversals positive).
    Call with the fund locked (``lock_fund``) when the balance decides anything."""
    entry = FundLedgerEntry(
        fund_id=fund.id,
        kind=kind,
        amount_pence=amount_pence,
        note=note.strip()[:300],
        created_by_id=by.id if by else None,
        created_at=now,
        waiver_request_id=waiver_request_id,
        force_id=force_id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
