"""Waiver requests: asking the hardship fund for help with a fee, and staff decisions.

    pending ─┬─> approved (full)  booking confirmed
             ├─> approved (part)  booking awaits payment of the rest, with days to pay
             ├─> declined          booking awaits payment, with days to pay, then is released
             └─> withdrawn         the booking ended, or the fee was paid another way

Statuses change only through ``money.states.transition`` (one table, audited). When a booking
ends, ``cancellation.end_booking`` withdraws a pending request (or moves it with the person to
their new booking) and gives an approved award back to the fund.

While pending, the booking is AWAITING_WAIVER: it keeps its seat with no expiry.
Every decision records who, when and why, moves money in the ledger, and tells the person.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    EXPIRING_STATES,
    Booking,
    BookingStatus,
    CourseSession,
    FundLedgerEntry,
    HardshipFund,
    LedgerKind,
    User,
    WaiverReason,
    WaiverRequest,
    WaiverStatus,
)
from booking.services import audit, locks
from booking.services.bookings import confirmation
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError, WaiverError
from booking.services.money import dues, fund, states
from booking.services.notify import messages

NOTE_MAX = 500


def request_waiver(
    booking_id: int,
    *,
    person: User,
    reason: WaiverReason,
    note: str,
    now: datetime,
    asked_pence: int | None = None,
) -> WaiverRequest:
    """A person asks for help with their booking's fee, all of it or ``asked_pence`` of it; the
    seat is kept until staff decide.

    Only while the fee is due and the hold has not lapsed. No proof is asked for.
    Raises BookingError("not_found" | "hold_expired"), WaiverError("waiver_not_possible" |
    "asked_invalid").
    """
    booking = locks.lock_booking(booking_id)
    if booking is None or booking.user_id != person.id:
        raise BookingError("not_found")
    if booking.status not in EXPIRING_STATES:
        raise WaiverError("waiver_not_possible")
    if booking.hold_expires_at is None or booking.hold_expires_at <= now:
        raise BookingError("hold_expired")
    already = db.session.scalar(
        select(WaiverRequest.id).where(WaiverRequest.booking_id == booking.id)
    )
    due = dues.amount_due(booking)
    if due <= 0 or already is not None:
        raise WaiverError("waiver_not_possible")
    if asked_pence is not None and not 0 < asked_pence <= due:
        raise WaiverError("asked_invalid")
    waiver = WaiverRequest(
        booking_id=booking.id,
        user_id=person.id,
        reason_category=reason,
        note=note.strip()[:NOTE_MAX],
        fee_pence=due,
        asked_pence=asked_pence if asked_pence != due else None,
        created_at=now,
    )
    db.session.add(waiver)
    db.session.flush()  # the request's id is its name from here on (audit, staff queue)
    bookings.transition(booking, BookingStatus.AWAITING_WAIVER, by=person, now=now)
    booking.hold_expires_at = None
    audit.record("waiver.requested", "waiver_request", waiver.id, actor=person, now=now)
    return waiver


def pending_queue() -> list[WaiverRequest]:
    """Pending requests, oldest first, with booking, session and person loaded (one query)."""
    return list(
        db.session.scalars(
            select(WaiverRequest)
            .options(
                joinedload(WaiverRequest.person),
                joinedload(WaiverRequest.booking)
                .joinedload(Booking.session)
                .joinedload(CourseSession.course_type),
            )
            .where(WaiverRequest.status == WaiverStatus.PENDING)
            .order_by(WaiverRequest.created_at, WaiverRequest.id)
        )
    )


def earlier_waivers(person_ids: list[int]) -> dict[int, list[WaiverRequest]]:
    """Each person's decided waivers, newest first, for many people in one query."""
    result: dict[int, list[WaiverRequest]] = {person_id: [] for person_id in person_ids}
    if not person_ids:
        return result
    rows = db.session.scalars(
        select(WaiverRequest)
        .where(WaiverRequest.user_id.in_(person_ids), WaiverRequest.status != WaiverStatus.PENDING)
        .order_by(WaiverRequest.created_at.desc())
    )
    for row in rows:
        result[row.user_id].append(row)
    return result


def awarded_to_person(person_id: int, fund_id: int) -> int:
    """Net amount a fund has given one person (awards less reversals)."""
    return -db.session.execute(
        select(func.coalesce(func.sum(FundLedgerEntry.amount_pence), 0))
        .join(WaiverRequest, WaiverRequest.id == FundLedgerEntry.waiver_request_id)
        .where(
            WaiverRequest.user_id == person_id,
            FundLedgerEntry.fund_id == fund_id,
            FundLedgerEntry.kind != LedgerKind.TOP_UP,
        )
    ).scalar_one()


def decide_waiver(
    waiver_id: int,
    *,
    by: User,
    approve: bool,
    amount_pence: int | None,
    reason: str,
    override_reason: str = "",
    now: datetime,
    days_to_pay: int = 7,
    base_url: str = "",
) -> WaiverRequest:
    """Approve (what was asked for by default, or any amount up to the fee) or decline a
    pending waiver request.

    Approval locks the fund row first, so two staff approving against the last of the fund
    cannot both succeed; it is refused if it would overspend the fund or pass the fund's
    per-person yearly cap, unless ``override_reason`` is given. A full waiver confirms the
    booking; a part waiver or a decline gives ``days_to_pay`` days to pay the rest, after which
    expire-holds releases the seat. Raises WaiverError("waiver_already_decided" |
    "reason_required" | "reason_for_less" (less than asked, without a reason) |
    "amount_invalid" | "no_fund" | "fund_overspend" | "waiver_cap" | "busy"). ``base_url``
    (the public address) puts a link to the booking's page in the message that follows.
    """
    reason = (reason or "").strip()
    override_reason = (override_reason or "").strip()
    if not approve and not reason:
        raise WaiverError("reason_required")
    booking_id = db.session.scalar(
        select(WaiverRequest.booking_id).where(WaiverRequest.id == waiver_id)
    )
    if booking_id is None:
        raise WaiverError("waiver_already_decided")
    # The one lock order (services/locks.py): session, booking, then the request, then the fund.
    booking = locks.lock_existing_booking(booking_id)
    waiver = db.session.get(WaiverRequest, waiver_id, with_for_update=True, populate_existing=True)
    if waiver is None:
        raise WaiverError("waiver_already_decided")
    the_fund = None
    if approve:
        amount = waiver.asked_for_pence if amount_pence is None else amount_pence
        if amount <= 0 or amount > waiver.fee_pence:
            raise WaiverError("amount_invalid")
        if amount < waiver.asked_for_pence and not reason:
            raise WaiverError("reason_for_less", field="reason")
        found = fund.fund_for(now, force_id=booking.session.force_id)
        if found is None:
            raise WaiverError("no_fund")
        # Lock the fund, then re-read the waiver: the other decision may have just committed.
        the_fund = fund.lock_fund(found.id)
    waiver = db.session.get(WaiverRequest, waiver_id, populate_existing=True)
    if waiver is None or waiver.status != WaiverStatus.PENDING:
        raise WaiverError("waiver_already_decided")
    if the_fund is not None:  # approving: the fund was found and locked above
        _award(the_fund, waiver, booking, amount, override_reason=override_reason, by=by, now=now)
    waiver.decided_by_id = by.id
    waiver.decided_at = now
    waiver.decision_reason = reason[:500]
    waiver.override_reason = override_reason[:500]
    states.transition(
        waiver,
        WaiverStatus.APPROVED if approve else WaiverStatus.DECLINED,
        by=by,
        now=now,
        amount_pence=waiver.approved_pence,
        reason=reason,
        override_reason=override_reason,
    )
    _move_booking_after_decision(
        waiver, booking, by=by, now=now, days_to_pay=days_to_pay, base_url=base_url
    )
    return waiver


def _award(
    the_fund: HardshipFund,
    waiver: WaiverRequest,
    booking: Booking,
    amount: int,
    *,
    override_reason: str,
    by: User,
    now: datetime,
) -> None:
    """Spend ``amount`` of the locked fund on the request, within the fund's balance and its
    per-person yearly cap unless staff give an ``override_reason``.
    Raises WaiverError("fund_overspend" | "waiver_cap")."""
    over_budget = amount > fund.balance(the_fund.id)
    cap = the_fund.per_person_cap_pence
    over_cap = cap is not None and awarded_to_person(waiver.user_id, the_fund.id) + amount > cap
    if (over_budget or over_cap) and not override_reason:
        raise WaiverError("fund_overspend" if over_budget else "waiver_cap")
    waiver.approved_pence = amount
    waiver.fund_id = the_fund.id
    note = f"Waiver for booking {booking.reference}"
    _waiver_entry(the_fund, LedgerKind.AWARD, -amount, waiver, booking, note, by=by, now=now)


def _waiver_entry(
    the_fund: HardshipFund,
    kind: LedgerKind,
    amount_pence: int,
    waiver: WaiverRequest,
    booking: Booking,
    note: str,
    *,
    by: User | None,
    now: datetime,
) -> None:
    """One fund movement for a request, tagged with the request and the session's force."""
    fund.add_ledger_entry(
        the_fund,
        kind,
        amount_pence,
        note=note,
        by=by,
        now=now,
        waiver_request_id=waiver.id,
        force_id=booking.session.force_id,
    )


def _net_award(waiver_id: int) -> int:
    """What a request's award still takes from its fund: awards less reversals."""
    return -db.session.execute(
        select(func.coalesce(func.sum(FundLedgerEntry.amount_pence), 0)).where(
            FundLedgerEntry.waiver_request_id == waiver_id,
            FundLedgerEntry.kind.in_([LedgerKind.AWARD, LedgerKind.REVERSAL]),
        )
    ).scalar_one()


def _approved_award(booking: Booking) -> tuple[WaiverRequest, int, int] | None:
    """A booking's approved request with its fund and amount, if the fund gave anything."""
    waiver = db.session.scalar(
        select(WaiverRequest).where(
            WaiverRequest.booking_id == booking.id, WaiverRequest.status == WaiverStatus.APPROVED
        )
    )
    if waiver is None or waiver.fund_id is None or not waiver.approved_pence:
        return None
    return waiver, waiver.fund_id, waiver.approved_pence


def reverse_award(booking: Booking, *, by: User | None, now: datetime) -> int:
    """Give an ended booking's award back to its fund; returns the pence reversed (0 if none).

    The fund is locked (last in the lock order). Only what the award still takes is given
    back, so ending a booking twice (or after its award was restored) never reverses twice.
    """
    award = _approved_award(booking)
    if award is None:
        return 0
    waiver, fund_id, _ = award
    the_fund = fund.lock_fund(fund_id)
    still_taken = _net_award(waiver.id)
    if still_taken <= 0:
        return 0
    note = f"Booking {booking.reference} ended"
    _waiver_entry(the_fund, LedgerKind.REVERSAL, still_taken, waiver, booking, note, by=by, now=now)
    audit.record("waiver.reversed", "waiver_request", waiver.id, actor=by, now=now)
    return still_taken


def restore_award(booking: Booking, *, by: User | None, now: datetime) -> bool:
    """A lapsed booking is being paid after all: the award given back when its hold lapsed is
    spent again, so the person pays only the rest they were told about.

    False when the fund can no longer cover it (the caller then does not revive the booking).
    The fund is locked last, in the one lock order.
    """
    award = _approved_award(booking)
    if award is None:
        return True
    waiver, fund_id, approved = award
    missing = approved - _net_award(waiver.id)
    if missing <= 0:
        return True
    the_fund = fund.lock_fund(fund_id)
    if fund.balance(the_fund.id) < missing:
        return False
    note = f"Award restored: booking {booking.reference} paid after its hold lapsed"
    _waiver_entry(the_fund, LedgerKind.AWARD, -missing, waiver, booking, note, by=by, now=now)
    audit.record("waiver.restored", "waiver_request", waiver.id, actor=by, now=now)
    return True


def withdraw_pending(booking: Booking, *, by: User | None, now: datetime, why: str) -> int:
    """Close a booking's pending requests (it ended, or was paid another way), so nobody can
    approve them and spend the fund on a seat nobody holds. Returns how many were closed."""
    pending = db.session.scalars(
        select(WaiverRequest)
        .where(WaiverRequest.booking_id == booking.id, WaiverRequest.status == WaiverStatus.PENDING)
        .with_for_update()
    ).all()
    for waiver in pending:
        waiver.decided_at = now
        waiver.decision_reason = why[:500]
        states.transition(waiver, WaiverStatus.WITHDRAWN, by=by, now=now, why=why)
    return len(pending)


def move_to_booking(old: Booking, new: Booking, *, by: User | None, now: datetime) -> int:
    """A person moved to another session: their requests (pending or approved) go with them.
    Returns how many moved."""
    moved = db.session.scalars(
        select(WaiverRequest)
        .where(
            WaiverRequest.booking_id == old.id,
            WaiverRequest.status.in_([WaiverStatus.PENDING, WaiverStatus.APPROVED]),
        )
        .with_for_update()
    ).all()
    for waiver in moved:
        waiver.booking_id = new.id
        audit.record(
            "waiver.moved", "waiver_request", waiver.id, actor=by, now=now, old=old.id, new=new.id
        )
    db.session.flush()
    return len(moved)


def has_pending(booking: Booking) -> bool:
    return (
        db.session.scalar(
            select(WaiverRequest.id).where(
                WaiverRequest.booking_id == booking.id,
                WaiverRequest.status == WaiverStatus.PENDING,
            )
        )
        is not None
    )


def _move_booking_after_decision(
    waiver: WaiverRequest,
    booking: Booking,
    *,
    by: User,
    now: datetime,
    days_to_pay: int,
    base_url: str,
) -> None:
    if booking.status != BookingStatus.AWAITING_WAIVER:
        return  # cancelled meanwhile: the award (if any) stays visible and can be reversed
    rest = dues.amount_due(booking)
    if rest <= 0:
        confirmation.confirm_and_tell(booking, by=by, now=now, via="waiver", base_url=base_url)
        return
    bookings.transition(booking, BookingStatus.AWAITING_PAYMENT, by=by, now=now, via="waiver")
    # The rest is paid before the session begins: a place cannot be paid for once it has.
    booking.hold_expires_at = min(now + timedelta(days=days_to_pay), booking.session.starts_at)
    messages.waiver_decided(
        booking,
        approved=waiver.status == WaiverStatus.APPROVED,
        due_pence=rest,
        days_to_pay=days_to_pay,
        reason=waiver.decision_reason or "",
        now=now,
        base_url=base_url,
    )
