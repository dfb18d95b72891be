"""What must be true of the database after every step, whatever route got it there.

The rows are read with plain queries, one per table (never through the services being checked),
into a Snapshot taken at the machine's clock; each check returns a list of violations, each a
sentence naming the rows.

KNOWN_DEFECTS names the checks today's code fails, with why; the machine tolerates those (and
only those) so the suite stays green until the fixes are merged. Remove a name once its fix is
in (the rewritten booking core fixed all eight found in the old one; the replays are in
test_defect_replays.py). To see one fail, run with WAYPOINT_STRICT_INVARIANTS=name[,name...]
(or "all").
"""

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    CourseSession,
    CourseType,
    FundLedgerEntry,
    HardshipFund,
    LedgerKind,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Referral,
    ReferralStatus,
    SessionStatus,
    WaitingListEntry,
    WaitingStatus,
    WaiverRequest,
    WaiverStatus,
)

LONDON = ZoneInfo("Europe/London")

# Taking a seat whatever the time / only until hold_expires_at.
FIRM = {
    BookingStatus.AWAITING_WAIVER,
    BookingStatus.CONFIRMED,
    BookingStatus.ATTENDED,
    BookingStatus.NO_SHOW,
}
HOLDING = {BookingStatus.HELD, BookingStatus.AWAITING_PAYMENT}
ACTIVE = FIRM | HOLDING
# A booking still on its way to the session (not yet ended, not yet marked).
LIVE = HOLDING | {BookingStatus.AWAITING_WAIVER, BookingStatus.CONFIRMED}
SETTLED = {BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW}
ENDED = {BookingStatus.CANCELLED, BookingStatus.EXPIRED}

KNOWN_DEFECTS: dict[str, str] = {}


def aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def deadline_moment(deadline: date) -> datetime:
    """The end of the deadline day in London, in UTC."""
    return datetime.combine(deadline + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def _rows(model) -> list:
    table = model.__table__
    return list(db.session.execute(select(table).order_by(table.c.id)))


@dataclass
class Snapshot:
    """Every row the checks read, in one query per table, taken at ``now``."""

    now: datetime
    bookings: list = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    course_types: dict = field(default_factory=dict)
    referrals: dict = field(default_factory=dict)
    women_only_answers: dict = field(default_factory=dict)
    payments: list = field(default_factory=list)
    waivers: dict = field(default_factory=dict)
    ledger: list = field(default_factory=list)
    funds: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    waiting: list = field(default_factory=list)

    @classmethod
    def take(cls, now: datetime) -> "Snapshot":
        entries = _rows(WaitingListEntry)
        return cls(
            now=now,
            bookings=_rows(Booking),
            sessions={row.id: row for row in _rows(CourseSession)},
            course_types={row.id: row for row in _rows(CourseType)},
            referrals={row.id: row for row in _rows(Referral)},
            women_only_answers={
                row.user_id: row.prefers_women_only for row in _rows(AttendeeProfile)
            },
            payments=_rows(Payment),
            waivers={row.id: row for row in _rows(WaiverRequest)},
            ledger=_rows(FundLedgerEntry),
            funds=_rows(HardshipFund),
            offers=[row for row in entries if row.status == WaitingStatus.OFFERED],
            waiting=[row for row in entries if row.status == WaitingStatus.WAITING],
        )

    def course_type_of(self, booking) -> object:
        return self.course_types[self.sessions[booking.session_id].course_type_id]

    def money(self) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
        """Per booking: money kept (paid less refunded), hardship awarded, awards reversed."""
        paid: dict[int, int] = defaultdict(int)
        for payment in self.payments:
            if payment.status == PaymentStatus.SUCCEEDED:
                paid[payment.booking_id] += payment.amount_pence - payment.refunded_pence
        awarded: dict[int, int] = defaultdict(int)
        reversed_: dict[int, int] = defaultdict(int)
        for entry in self.ledger:
            if entry.waiver_request_id is None:
                continue
            booking_id = self.waivers[entry.waiver_request_id].booking_id
            if entry.kind == LedgerKind.AWARD:
                awarded[booking_id] += -entry.amount_pence
            elif entry.kind == LedgerKind.REVERSAL:
                reversed_[booking_id] += entry.amount_pence
        return paid, awarded, reversed_

    def chains(self) -> tuple[dict[int, list[int]], set[int]]:
        """For each booking, itself and the bookings it was rescheduled from (its money moved
        with the seat); and the bookings that were rescheduled away (their money moved on)."""
        by_id = {b.id: b for b in self.bookings}
        chains = {}
        for booking in self.bookings:
            chain, current = [], booking
            while current is not None and current.id not in chain:
                chain.append(current.id)
                current = by_id.get(current.rescheduled_from_id)
            chains[booking.id] = chain
        moved_on = {
            b.rescheduled_from_id for b in self.bookings if b.rescheduled_from_id is not None
        }
        return chains, moved_on


def seats_taken(snap: Snapshot) -> dict[int, int]:
    """Per session: confirmed + awaiting a decision + unexpired holds + open offers."""
    taken: dict[int, int] = defaultdict(int)
    for booking in snap.bookings:
        expires = aware(booking.hold_expires_at)
        holds = booking.status in HOLDING and expires is not None and expires > snap.now
        if booking.status in FIRM or holds:
            taken[booking.session_id] += 1
    for entry in snap.offers:
        expires = aware(entry.offer_expires_at)
        if expires is not None and expires > snap.now:
            taken[entry.session_id] += 1
    return taken


def never_over_capacity(snap: Snapshot) -> list[str]:
    """Confirmed + awaiting a decision + unexpired holds + open offers <= capacity."""
    taken = seats_taken(snap)
    return [
        f"session {s.id} has {taken[s.id]} seats taken of {s.capacity}"
        for s in snap.sessions.values()
        if taken[s.id] > s.capacity
    ]


def free_place_offered_while_someone_waits(snap: Snapshot) -> list[str]:
    """However a place was freed (any ending, a lapsed offer), a session still to come with a
    free place and someone waiting has offered it: nobody waits for a place that is free."""
    taken = seats_taken(snap)
    waiting = {entry.session_id for entry in snap.waiting}
    return [
        f"session {s.id} has {s.capacity - taken[s.id]} free place(s) and someone waiting"
        for s in snap.sessions.values()
        if s.id in waiting
        and s.status == SessionStatus.SCHEDULED
        and aware(s.starts_at) > snap.now
        and taken[s.id] < s.capacity
    ]


def one_active_booking(snap: Snapshot) -> list[str]:
    """At most one active booking per person per session, and per referral."""
    per_seat: dict[tuple[int, int], list[int]] = defaultdict(list)
    per_referral: dict[int, list[int]] = defaultdict(list)
    for booking in snap.bookings:
        if booking.status in ACTIVE:
            per_seat[(booking.user_id, booking.session_id)].append(booking.id)
            if booking.referral_id is not None:
                per_referral[booking.referral_id].append(booking.id)
    return [
        f"person {person} has active bookings {ids} on session {session}"
        for (person, session), ids in per_seat.items()
        if len(ids) > 1
    ] + [
        f"referral {referral} has active bookings {ids}"
        for referral, ids in per_referral.items()
        if len(ids) > 1
    ]


def referral_rules(snap: Snapshot) -> list[str]:
    """A referral-only seat is taken through a referral: linked to the person's own referral,
    for that referral's course, on a session that ends by its deadline. Any seat linked to a
    referral keeps to the same rules."""
    problems = []
    for booking in snap.bookings:
        if booking.status not in ACTIVE:
            continue
        course_session = snap.sessions[booking.session_id]
        referral = snap.referrals.get(booking.referral_id)
        if referral is None:
            if snap.course_type_of(booking).referral_required:
                problems.append(
                    f"booking {booking.id} holds a referral-only seat on session "
                    f"{course_session.id} with no referral linked"
                )
            continue
        if referral.user_id != booking.user_id:
            problems.append(f"booking {booking.id} is linked to another person's referral")
        if referral.course_type_id != course_session.course_type_id:
            problems.append(f"booking {booking.id} is on a course its referral is not for")
        if aware(course_session.ends_at) > deadline_moment(referral.deadline):
            problems.append(
                f"booking {booking.id} (referral {referral.id}) is on session "
                f"{course_session.id}, which ends after the referral's deadline"
            )
    return problems


def women_only_confirmed(snap: Snapshot) -> list[str]:
    """A seat in a women-only group belongs to someone who said that is what they want."""
    return [
        f"booking {booking.id} holds a seat in women-only session {booking.session_id} "
        "without the person's confirmation"
        for booking in snap.bookings
        if booking.status in ACTIVE
        and snap.sessions[booking.session_id].women_only
        and not snap.women_only_answers.get(booking.user_id)
    ]


def fee_matches_session(snap: Snapshot) -> list[str]:
    """A booking's fee is its course's fee (no scheme in this world overrides it)."""
    return [
        f"booking {booking.id} has fee {booking.fee_pence} on a course costing "
        f"{snap.course_type_of(booking).default_fee_pence}"
        for booking in snap.bookings
        if booking.fee_pence != snap.course_type_of(booking).default_fee_pence
    ]


def money_agrees_with_state(snap: Snapshot) -> list[str]:
    """Money paid plus hardship awarded (net, along a rescheduled booking's chain) covers the
    fee exactly for a confirmed or completed booking, and less than the fee while one is
    unsettled; no booking keeps more than its fee.

    A staff refund on a settled booking is deliberate (finance give money back, in full or in
    part, from the Payments page; the booking keeps its place): so for a settled booking the
    fee must have been covered before refunds, and what is kept after them is at most the fee.
    """
    paid, awarded, reversed_ = snap.money()
    gross: dict[int, int] = defaultdict(int)
    for payment in snap.payments:
        if payment.status == PaymentStatus.SUCCEEDED:
            gross[payment.booking_id] += payment.amount_pence
    chains, moved_on = snap.chains()
    problems = []
    for booking in snap.bookings:
        if booking.id in moved_on:
            continue  # its money and award moved to the booking that replaced it
        chain = chains[booking.id]
        kept = sum(paid[i] for i in chain)
        net_award = sum(awarded[i] - reversed_[i] for i in chain)
        covered = kept + net_award
        covered_before_refunds = sum(gross[i] for i in chain) + net_award
        where = f"booking {booking.id} ({booking.status.value}, fee {booking.fee_pence})"
        if booking.status in SETTLED and covered_before_refunds < booking.fee_pence:
            problems.append(f"{where} is settled but paid + awarded is {covered_before_refunds}")
        elif booking.status in SETTLED and covered > booking.fee_pence:
            problems.append(f"{where} is settled but keeps + is awarded {covered}")
        elif booking.status in LIVE - SETTLED and covered >= booking.fee_pence:
            problems.append(f"{where} is unsettled but paid + awarded is {covered}")
        elif booking.status in ENDED and kept > booking.fee_pence:
            problems.append(f"{where} keeps {kept}, more than its fee")
    return problems


def ended_booking_keeps_no_money(snap: Snapshot) -> list[str]:
    """A hold that lapsed, or a booking on a session the charity cancelled, keeps no card
    payment. A requested refund counts as given back (``refunded_pence`` is raised when the
    refund row is written; the sender only tells Stripe). Money paid another way (cash, bank,
    phone) is deliberately left for staff to decide (cancellation.py's refund rule)."""
    kept: dict[int, int] = defaultdict(int)
    for payment in snap.payments:
        if payment.status == PaymentStatus.SUCCEEDED and payment.method == PaymentMethod.CARD:
            kept[payment.booking_id] += payment.amount_pence - payment.refunded_pence
    _, moved_on = snap.chains()
    problems = []
    for booking in snap.bookings:
        if booking.id in moved_on or not kept[booking.id]:
            continue
        if booking.status == BookingStatus.EXPIRED:
            problems.append(f"expired booking {booking.id} keeps {kept[booking.id]} by card")
        elif (
            booking.status == BookingStatus.CANCELLED
            and snap.sessions[booking.session_id].status == SessionStatus.CANCELLED
        ):
            problems.append(
                f"booking {booking.id} on cancelled session {booking.session_id} keeps "
                f"{kept[booking.id]} by card"
            )
    return problems


def award_returned_when_booking_ends(snap: Snapshot) -> list[str]:
    """A hardship award on a booking that ended (and did not move to another session) has gone
    back to the fund, once."""
    _, awarded, reversed_ = snap.money()
    _, moved_on = snap.chains()
    problems = []
    for booking in snap.bookings:
        if reversed_[booking.id] > awarded[booking.id]:
            problems.append(f"booking {booking.id} had more reversed than awarded")
        if booking.status in ENDED and booking.id not in moved_on:
            if awarded[booking.id] != reversed_[booking.id]:
                problems.append(
                    f"{booking.status.value} booking {booking.id} still spends "
                    f"{awarded[booking.id] - reversed_[booking.id]} of the fund"
                )
    return problems


def fund_balance(snap: Snapshot) -> list[str]:
    """The fund's balance is budget - awards + reversals and never goes below zero (the machine
    never overrides). Each approved waiver's award, net of what was given back, is exactly its
    approved amount while its booking lives and nothing once the booking has ended (an award
    given back when a hold lapsed is spent again if the place is paid for after all); nothing
    else takes money from the fund."""
    status = {booking.id: booking.status for booking in snap.bookings}
    problems = []
    for the_fund in snap.funds:
        sums: dict[LedgerKind, int] = defaultdict(int)
        net: dict[int, int] = defaultdict(int)
        for entry in snap.ledger:
            if entry.fund_id != the_fund.id:
                continue
            sums[entry.kind] += entry.amount_pence
            if entry.kind in (LedgerKind.AWARD, LedgerKind.REVERSAL):
                net[entry.waiver_request_id] -= entry.amount_pence
        top_ups, awards = sums[LedgerKind.TOP_UP], -sums[LedgerKind.AWARD]
        balance = top_ups - awards + sums[LedgerKind.REVERSAL]
        if top_ups != the_fund.budget_pence:
            problems.append(f"fund {the_fund.id} budget {the_fund.budget_pence} != {top_ups}")
        if balance < 0:
            problems.append(f"fund {the_fund.id} is overspent: balance {balance}")
        if net.get(None):
            problems.append(f"fund {the_fund.id} gives {net[None]} for no help request")
        for waiver in snap.waivers.values():
            if waiver.fund_id != the_fund.id and not net.get(waiver.id):
                continue
            expected = 0
            if waiver.status == WaiverStatus.APPROVED and status[waiver.booking_id] not in ENDED:
                expected = waiver.approved_pence or 0
            if net[waiver.id] != expected:
                problems.append(
                    f"fund {the_fund.id} holds {net[waiver.id]} for help request {waiver.id} "
                    f"({waiver.status.value}, booking {status[waiver.booking_id].value}), "
                    f"not {expected}"
                )
    return problems


def no_pending_help_on_ended_booking(snap: Snapshot) -> list[str]:
    """A help request is pending exactly while its booking awaits the decision."""
    status = {booking.id: booking.status for booking in snap.bookings}
    return [
        f"help request {waiver.id} is pending on {status[waiver.booking_id].value} "
        f"booking {waiver.booking_id}"
        for waiver in snap.waivers.values()
        if waiver.status == WaiverStatus.PENDING
        and status[waiver.booking_id] != BookingStatus.AWAITING_WAIVER
    ]


def referral_status_agrees(snap: Snapshot) -> list[str]:
    """Open: no booking on its way. Booked: one booking on its way. Completed if and only if
    a booking for it was attended."""
    live: dict[int, list[int]] = defaultdict(list)
    attended: set[int] = set()
    for booking in snap.bookings:
        if booking.referral_id is None:
            continue
        if booking.status in LIVE:
            live[booking.referral_id].append(booking.id)
        if booking.status == BookingStatus.ATTENDED:
            attended.add(booking.referral_id)
    problems = []
    for referral in snap.referrals.values():
        where = f"referral {referral.id} is {referral.status.value}"
        if referral.status == ReferralStatus.OPEN and live[referral.id]:
            problems.append(f"{where} but has booking(s) {live[referral.id]} on their way")
        if referral.status == ReferralStatus.BOOKED and not live[referral.id]:
            problems.append(f"{where} but no booking for it is on its way")
        if (referral.status == ReferralStatus.COMPLETED) != (referral.id in attended):
            problems.append(
                f"{where} but {'an' if referral.id in attended else 'no'} attended booking"
            )
    return problems


CHECKS: dict[str, Callable[[Snapshot], list[str]]] = {
    "never_over_capacity": never_over_capacity,
    "one_active_booking": one_active_booking,
    "referral_rules": referral_rules,
    "women_only_confirmed": women_only_confirmed,
    "fee_matches_session": fee_matches_session,
    "money_agrees_with_state": money_agrees_with_state,
    "ended_booking_keeps_no_money": ended_booking_keeps_no_money,
    "award_returned_when_booking_ends": award_returned_when_booking_ends,
    "fund_balance": fund_balance,
    "no_pending_help_on_ended_booking": no_pending_help_on_ended_booking,
    "referral_status_agrees": referral_status_agrees,
    "free_place_offered_while_someone_waits": free_place_offered_while_someone_waits,
}


def tolerated() -> set[str]:
    """The known defects still tolerated, less any the environment asks to enforce."""
    strict = {name.strip() for name in os.environ.get("WAYPOINT_STRICT_INVARIANTS", "").split(",")}
    if "all" in strict:
        return set()
    return set(KNOWN_DEFECTS) - strict


def violations(snap: Snapshot) -> dict[str, list[str]]:
    """Every check's violations (empty lists left out)."""
    found = {name: check(snap) for name, check in CHECKS.items()}
    return {name: problems for name, problems in found.items() if problems}
