"""Each invariant the machine checks can fail: rows that break a rule are reported by name.

The rows are written straight into the database (no service), the way a bug would leave them.
"""

import itertools
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from booking.models import (
    Booking,
    BookingStatus,
    FundLedgerEntry,
    LedgerKind,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Referral,
    ReferralStatus,
    WaitingListEntry,
    WaiverReason,
    WaiverRequest,
    WaiverStatus,
)
from tests.property import invariants, world

pytestmark = pytest.mark.database

_references = itertools.count(1)


@pytest.fixture
def built(db):
    return world.build()


def booking(db, built, *, person: int, session: int, status=BookingStatus.CONFIRMED, **fields):
    row = Booking(
        reference=f"INV{next(_references):05d}",
        session_id=built.sessions[session],
        user_id=built.people[person],
        status=status,
        fee_pence=fields.pop("fee_pence", 0),
        created_at=world.START,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def paid(db, row: Booking, amount: int, method=PaymentMethod.CASH, **fields) -> Payment:
    payment = Payment(
        booking_id=row.id,
        amount_pence=amount,
        method=method,
        **fields,
        status=PaymentStatus.SUCCEEDED,
        created_at=world.START,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def found(db) -> dict[str, list[str]]:
    db.session.commit()
    return invariants.violations(invariants.Snapshot.take(world.START))


def test_the_world_as_built_keeps_every_rule(db, built):
    assert found(db) == {}


def test_more_seats_taken_than_the_session_has(db, built):
    for person in range(3):
        booking(db, built, person=person, session=0)
    assert found(db).keys() == {"never_over_capacity"}


def test_an_unexpired_hold_and_an_open_offer_count_against_capacity(db, built):
    booking(db, built, person=0, session=0)
    booking(
        db,
        built,
        person=1,
        session=0,
        status=BookingStatus.HELD,
        hold_expires_at=world.START + timedelta(minutes=5),
    )
    booking(
        db,
        built,
        person=2,
        session=0,
        status=BookingStatus.HELD,
        hold_expires_at=world.START - timedelta(minutes=5),  # lapsed: frees its seat
    )
    assert "never_over_capacity" not in found(db)
    booking(
        db,
        built,
        person=3,
        session=0,
        status=BookingStatus.HELD,
        hold_expires_at=world.START + timedelta(minutes=5),
    )
    assert "never_over_capacity" in found(db)


def test_two_active_bookings_for_one_referral(db, built):
    snap = invariants.Snapshot.take(world.START)
    twins = [
        SimpleNamespace(id=i, user_id=1, session_id=s, status=BookingStatus.HELD, referral_id=7)
        for i, s in ((1, 1), (2, 2))
    ]
    problems = invariants.one_active_booking(replace(snap, bookings=twins))
    assert problems == ["referral 7 has active bookings [1, 2]"]


def test_a_referral_only_seat_without_a_referral(db, built):
    booking(db, built, person=1, session=3, fee_pence=world.REFERRAL_FEE, status=BookingStatus.HELD)
    assert "referral_rules" in found(db)


def test_a_referral_seat_on_a_session_after_its_deadline(db, built):
    # Referral 0's deadline is in 5 days; session 4 is in 8.
    booking(
        db,
        built,
        person=1,
        session=4,
        fee_pence=world.REFERRAL_FEE,
        status=BookingStatus.HELD,
        hold_expires_at=world.START + timedelta(minutes=5),
        referral_id=built.referrals[0],
    )
    assert any("after the referral's deadline" in p for p in found(db)["referral_rules"])


def test_a_women_only_seat_without_the_persons_confirmation(db, built):
    booking(db, built, person=0, session=2, fee_pence=world.FEE, status=BookingStatus.HELD)
    assert "women_only_confirmed" not in found(db)  # person 0 asked for a women-only group
    booking(db, built, person=1, session=2, fee_pence=world.FEE, status=BookingStatus.HELD)
    assert "women_only_confirmed" in found(db)


def test_a_fee_that_is_not_the_sessions(db, built):
    booking(db, built, person=0, session=1, fee_pence=0)
    assert "fee_matches_session" in found(db)


def test_a_confirmed_booking_not_paid_for(db, built):
    confirmed = booking(db, built, person=1, session=1, fee_pence=world.FEE)
    assert "money_agrees_with_state" in found(db)
    payment = paid(db, confirmed, world.FEE)
    assert "money_agrees_with_state" not in found(db)
    payment.refunded_pence = world.FEE // 2  # finance gave half back: deliberate, allowed
    assert "money_agrees_with_state" not in found(db)


def test_a_confirmed_booking_that_keeps_more_than_its_fee(db, built):
    confirmed = booking(db, built, person=1, session=1, fee_pence=world.FEE)
    paid(db, confirmed, world.FEE)
    _award(db, built, confirmed, 500)
    assert "money_agrees_with_state" in found(db)


def test_an_expired_booking_that_kept_its_payment(db, built):
    lapsed = booking(
        db, built, person=1, session=1, fee_pence=world.FEE, status=BookingStatus.EXPIRED
    )
    cash = paid(db, lapsed, world.FEE)
    assert "ended_booking_keeps_no_money" not in found(db)  # cash: staff decide
    cash.status = PaymentStatus.FAILED
    card = paid(
        db, lapsed, world.FEE, PaymentMethod.CARD, stripe_payment_intent_id="pi_invariant_1"
    )
    assert "ended_booking_keeps_no_money" in found(db)
    card.refunded_pence = world.FEE  # a requested refund counts as given back
    assert "ended_booking_keeps_no_money" not in found(db)


def _award(db, built, row: Booking, amount: int, *, status=WaiverStatus.APPROVED):
    waiver = WaiverRequest(
        booking_id=row.id,
        user_id=row.user_id,
        reason_category=WaiverReason.OTHER,
        fee_pence=row.fee_pence,
        status=status,
        approved_pence=amount if status == WaiverStatus.APPROVED else None,
        fund_id=built.fund if status == WaiverStatus.APPROVED else None,
        created_at=world.START,
    )
    db.session.add(waiver)
    db.session.flush()
    if status == WaiverStatus.APPROVED:
        db.session.add(
            FundLedgerEntry(
                fund_id=built.fund,
                kind=LedgerKind.AWARD,
                amount_pence=-amount,
                waiver_request_id=waiver.id,
                created_at=world.START,
            )
        )
        db.session.flush()
    return waiver


def test_a_cancelled_booking_that_still_spends_the_fund(db, built):
    cancelled = booking(
        db, built, person=1, session=1, fee_pence=world.FEE, status=BookingStatus.CANCELLED
    )
    _award(db, built, cancelled, world.FEE)
    assert "award_returned_when_booking_ends" in found(db)


def test_an_award_in_the_ledger_with_no_approved_waiver(db, built):
    db.session.add(
        FundLedgerEntry(
            fund_id=built.fund, kind=LedgerKind.AWARD, amount_pence=-500, created_at=world.START
        )
    )
    assert "fund_balance" in found(db)


def test_a_pending_help_request_on_a_cancelled_booking(db, built):
    cancelled = booking(
        db, built, person=1, session=1, fee_pence=world.FEE, status=BookingStatus.CANCELLED
    )
    _award(db, built, cancelled, 0, status=WaiverStatus.PENDING)
    assert "no_pending_help_on_ended_booking" in found(db)


def test_a_booked_referral_with_nothing_booked(db, built):
    db.session.get(Referral, built.referrals[0]).status = ReferralStatus.BOOKED
    assert "referral_status_agrees" in found(db)


def test_an_attended_referral_that_is_not_completed(db, built):
    booking(
        db,
        built,
        person=1,
        session=3,
        fee_pence=world.REFERRAL_FEE,
        status=BookingStatus.ATTENDED,
        referral_id=built.referrals[0],
    )
    paid(db, db.session.query(Booking).one(), world.REFERRAL_FEE)
    assert found(db).keys() == {"referral_status_agrees"}


def test_a_free_place_not_offered_to_the_person_waiting(db, built):
    booking(db, built, person=0, session=0)  # one of its two places taken
    db.session.add(
        WaitingListEntry(
            session_id=built.sessions[0], user_id=built.people[1], joined_at=world.START
        )
    )
    assert found(db).keys() == {"free_place_offered_while_someone_waits"}
    booking(db, built, person=2, session=0)  # now full: waiting is right
    assert found(db) == {}
