"""The one place the booking-core machine calls the services: one function per action.

Each function is one use case, made of the same service calls its route (or job) makes, with
the clock passed in. None commits: the machine wraps each call in the real ``unit_of_work()``,
as a route does, and then calls ``after_commit`` (the routes' ``send_refunds``), so refund rows
written by an ending are sent to the stand-in gateway only once the decision is committed.
Seats are taken through ``seats.place_booking`` (via the catalogue, referral, waiting-list and
reschedule wrappers); bookings end through ``cancellation.end_booking``.
"""

import hashlib
import hmac
import json
from datetime import datetime

import stripe

from booking.jobs import refunds as refund_jobs
from booking.models import (
    AttendanceStatus,
    Booking,
    CourseSession,
    Payment,
    PaymentMethod,
    Referral,
    User,
    WaitingListEntry,
    WaiverReason,
    WaiverRequest,
)
from booking.services.bookings import attendee, cancellation, rescheduling, seats, waitlist
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.money import help_requests, payments, refunds, stripe_events
from booking.services.people import preferences
from booking.services.referrals import admin as referral_admin
from booking.services.referrals import deadlines, force_access, lookup
from booking.services.schedule import sessions as schedule
from booking.services.trainers import rosters

HOLD_MINUTES = 30  # Config.HOLD_MINUTES
OFFER_HOURS = 24  # Config.WAITLIST_OFFER_HOURS
RESCHEDULE_MIN_NOTICE_HOURS = 48  # Config.RESCHEDULE_MIN_NOTICE_HOURS
REFUND_FULL_DAYS_BEFORE = 7  # Config.REFUND_FULL_DAYS_BEFORE
WEBHOOK_SECRET = "whsec_test_only"  # TestConfig.STRIPE_WEBHOOK_SECRET
BASE_URL = "https://waypoint.example"


def claim_url(token: str) -> str:
    return f"{BASE_URL}/waiting-list/claim/{token}"


# What current_ending_policy() builds from the configuration above.
POLICY = EndingPolicy(
    offer_hours=OFFER_HOURS,
    claim_url=claim_url,
    full_refund_days_before=REFUND_FULL_DAYS_BEFORE,
)


class FakeStripeGateway:
    """Stripe's Refund API without the network: answers with a refund id, as Stripe does
    (the shape of booking.integrations.stripe_gateway.StripeGateway.refund)."""

    def __init__(self) -> None:
        self.refunds: list[tuple[str, int]] = []

    def refund(self, *, payment_intent_id: str, amount_pence: int, idempotency_key: str) -> str:
        self.refunds.append((payment_intent_id, amount_pence))
        return f"re_machine_{len(self.refunds)}"


GATEWAY = FakeStripeGateway()


# --- taking a seat ---------------------------------------------------------------------------


def _confirms_women_only(person: User) -> bool:
    """A person ticks "women-only is right for me" exactly when they told us they want a
    women-only group (their stored answer is their confirmation)."""
    return preferences.prefers_women_only(person)


def book_from_catalogue(person: User, course_session: CourseSession, now: datetime) -> Booking:
    """The catalogue's book button (a person with a referral for the course is booked on it)."""
    return attendee.book_and_confirm(
        course_session.id,
        person,
        now=now,
        hold_minutes=HOLD_MINUTES,
        base_url=BASE_URL,
        women_only_confirmed=_confirms_women_only(person),
    )


def book_by_staff(
    person: User, course_session: CourseSession, staff: User, now: datetime
) -> Booking:
    """Staff take a seat for a person (on the phone): the one placement function, with the
    person's own answer about women-only groups as their confirmation."""
    return seats.place_booking(
        course_session.id,
        person,
        now=now,
        by=staff,
        women_only_confirmed=_confirms_women_only(person),
        hold_minutes=HOLD_MINUTES,
        source="staff",
    )


def book_by_referral(
    referral: Referral, person: User, course_session: CourseSession, now: datetime
) -> Booking:
    """Booking by police reference, once the referral has been found."""
    return lookup.book_for_referral(
        referral.id,
        course_session.id,
        person,
        now=now,
        hold_minutes=HOLD_MINUTES,
        base_url=BASE_URL,
        women_only_confirmed=_confirms_women_only(person),
    )


def join_waiting_list(person: User, course_session: CourseSession, now: datetime):
    return waitlist.join(course_session.id, person, now=now)


def claim_offer(entry: WaitingListEntry, now: datetime) -> Booking:
    """The claim link: lapsed offers are passed on first, then the place is taken."""
    waitlist.expire_offers(now=now, policy=POLICY)
    return waitlist.claim(
        entry.claim_token,
        now=now,
        hold_minutes=HOLD_MINUTES,
        base_url=BASE_URL,
        women_only_confirmed=_confirms_women_only(entry.user),
    )


def reschedule(booking: Booking, course_session: CourseSession, now: datetime) -> Booking:
    return rescheduling.reschedule(
        booking.id,
        course_session.id,
        booking.user,
        now=now,
        min_notice_hours=RESCHEDULE_MIN_NOTICE_HOURS,
        hold_minutes=HOLD_MINUTES,
        base_url=BASE_URL,
        policy=POLICY,
        women_only_confirmed=_confirms_women_only(booking.user),
    )


# --- ending a booking ------------------------------------------------------------------------


def cancel_by_attendee(booking: Booking, now: datetime):
    """The attendee's cancel button: the one ending, money by the refund rule, the place
    offered on."""
    return cancellation.cancel_by_attendee(
        booking.id,
        booking.user,
        now=now,
        policy=POLICY,
    )


def cancel_by_staff(booking: Booking, staff: User, now: datetime):
    """Staff end one booking: card payments refunded in full, other money left to staff."""
    return cancellation.end_booking(
        booking,
        reason="staff",
        by=staff,
        now=now,
        policy=POLICY,
    )


def withdraw_referral(referral: Referral, staff: User, now: datetime) -> Referral:
    """Staff withdraw a referral (the force asked); its booking, if any, ends with it."""
    return referral_admin.withdraw(
        referral, by=staff, now=now, reason="The force asked", policy=POLICY
    )


def force_withdraws_referral(referral: Referral, now: datetime) -> Referral:
    """The force's own system withdraws the referral through the API (no staff involved)."""
    return force_access.withdraw(
        referral.force, referral.id, reason="", by=None, now=now, policy=POLICY
    )


def cancel_session(course_session: CourseSession, staff: User, now: datetime) -> int:
    return schedule.cancel_session(
        course_session.id, by=staff, now=now, reason="Trainer ill", policy=POLICY
    )


def expire_holds(now: datetime) -> int:
    return cancellation.expire_holds(now=now, policy=POLICY)


def expire_offers(now: datetime) -> int:
    return waitlist.expire_offers(now=now, policy=POLICY)


def close_overdue_referrals(now: datetime) -> dict:
    return deadlines.close_overdue(now=now)


def after_commit(now: datetime) -> None:
    """What every route that may write refund rows does once its transaction has committed:
    send the requested refunds to the (stand-in) gateway, each in its own short transaction."""
    refund_jobs.send_refunds(GATEWAY, now=now)


# --- money -----------------------------------------------------------------------------------


def start_card_payment(booking: Booking, now: datetime) -> Payment:
    """The pay button: a pending payment with its (pretend) Checkout Session id."""
    payment, _ = payments.start_checkout(booking.id, person=booking.user, now=now)
    payments.attach_checkout_session(payment.id, f"cs_machine_{payment.id}")
    return payment


def signed_event(event_type: str, payment: Payment, event_id: str) -> tuple[bytes, str]:
    """A Checkout Session event as Stripe sends it: the raw body and its Stripe-Signature."""
    event = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "data": {
            "object": {
                "id": payment.stripe_checkout_session_id,
                "object": "checkout.session",
                "payment_status": "paid" if event_type.endswith("completed") else "unpaid",
                "status": "complete" if event_type.endswith("completed") else "expired",
                "amount_total": payment.amount_pence,
                "currency": "gbp",
                "payment_intent": f"pi_machine_{payment.id}",
                "metadata": {"booking_id": str(payment.booking_id), "payment_id": str(payment.id)},
            }
        },
    }
    payload = json.dumps(event).encode()
    timestamp = int(datetime.now().timestamp())  # Stripe's tolerance is against the real clock
    digest = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return payload, f"t={timestamp},v1={digest}"


def _deliver(payload: bytes, header: str, now: datetime) -> str:
    """What the webhook route does: verify the signature on the raw body, then apply once."""
    stripe.Webhook.construct_event(payload, header, WEBHOOK_SECRET)
    return stripe_events.handle_event(json.loads(payload), now=now, policy=POLICY)


def pay_by_webhook(payment: Payment, now: datetime, event_id: str) -> str:
    payload, header = signed_event("checkout.session.completed", payment, event_id)
    return _deliver(payload, header, now)


def checkout_expired_by_webhook(payment: Payment, now: datetime, event_id: str) -> str:
    payload, header = signed_event("checkout.session.expired", payment, event_id)
    return _deliver(payload, header, now)


def record_offline_payment(booking: Booking, staff: User, now: datetime) -> Payment:
    """Finance records what is due as paid by bank transfer."""
    return payments.record_offline_payment(
        booking.id,
        method=PaymentMethod.BANK_TRANSFER,
        amount_pence=payments.amount_due(booking),
        reference="Machine transfer",
        by=staff,
        now=now,
    )


def refund(payment: Payment, staff: User, now: datetime, *, whole: bool):
    """Finance refunds a payment: all that is left, or half of it."""
    amount = None if whole else max(payment.refundable_pence // 2, 1)
    return refunds.refund_payment(
        payment.id, amount_pence=amount, reason="Refund", by=staff, now=now
    )


def ask_for_help(booking: Booking, now: datetime) -> WaiverRequest:
    return help_requests.request_waiver(
        booking.id, person=booking.user, reason=WaiverReason.LOW_INCOME, note="", now=now
    )


def decide_help(
    waiver: WaiverRequest, staff: User, now: datetime, *, approve: bool, whole: bool
) -> WaiverRequest:
    """Approve the whole fee or half of it, or decline with a reason."""
    amount = None if whole else max(waiver.fee_pence // 2, 1)
    return help_requests.decide_waiver(
        waiver.id,
        by=staff,
        approve=approve,
        amount_pence=amount if approve else None,
        reason=(
            "The fund covers half this time."
            if approve and not whole
            else ("" if approve else "The fund cannot help this time.")
        ),
        now=now,
    )


# --- after the session -----------------------------------------------------------------------


def record_attendance(booking: Booking, staff: User, now: datetime, *, attended: bool) -> int:
    status = AttendanceStatus.ATTENDED if attended else AttendanceStatus.DID_NOT_ATTEND
    return rosters.mark_attendance(booking.session, {booking.id: status}, by=staff, now=now)


def close_session(course_session: CourseSession, staff: User, now: datetime) -> int:
    return rosters.close_session(course_session, by=staff, now=now)
