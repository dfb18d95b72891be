"""Staff acting for a person, usually on the phone: set them up, book, take payment, move,
cancel, give more time. Each action calls the one rule that does it (placement, payments,
rescheduling, the consequences function, holds) and records who acted and why.
"""

import secrets
from datetime import datetime

from sqlalchemy import func, select

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    Channel,
    PaymentMethod,
    Referral,
    Role,
    User,
)
from booking.services import audit, locks
from booking.services.bookings import cancellation, confirmation, holds, rescheduling
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.errors import AccountError, BookingError, PaymentError
from booking.services.money import dues, payments
from booking.services.money import queries as money_queries
from booking.services.money.amounts import pounds
from booking.services.notify import channels as contact
from booking.services.notify import messages
from booking.services.people import access_links, preferences
from booking.services.people.accounts import normalise_email
from booking.services.referrals import lookup

# A place booked over the phone that has a fee is held a day, so the person can pay by link or
# call back; the usual half-hour hold is for someone paying there and then on the website.
STAFF_HOLD_MINUTES = 24 * 60
# Staff may give more time than the person's own button does: a day, once.
STAFF_EXTRA_MINUTES = 24 * 60
# Addresses on this domain can never receive mail: they stand in for "no email address".
NO_EMAIL_DOMAIN = "no-email.invalid"


def has_real_email(person: User) -> bool:
    return bool(contact.email_address(person))


def _acted(action: str, person: User, *, by: User, why: str, now: datetime, **detail) -> None:
    audit.record(f"staff.{action}", "user", person.id, actor=by, now=now, why=why.strip(), **detail)


def create_person(
    *,
    first_name: str,
    last_name: str,
    email: str,
    answers: preferences.Answers,
    by: User,
    why: str,
    now: datetime,
) -> User:
    """An attendee set up by staff, with or without an email address.

    Without one they get a placeholder address that can never receive mail and is never
    shown (``has_real_email``); email is then not safe whatever was ticked. The account has a
    password nobody knows until the person sets one up from a link. Raises AccountError
    "email_in_use" (staff may be told: they are searching for the person anyway).
    """
    address = normalise_email(email)
    if address:
        if db.session.scalar(select(User.id).where(func.lower(User.email) == address)):
            raise AccountError("email_in_use")
    else:
        address = f"person-{secrets.token_hex(8)}@{NO_EMAIL_DOMAIN}"
        answers.email_is_safe = False
    person = User(
        email=address,
        role=Role.ATTENDEE,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        created_at=now,
    )
    person.set_unusable_password()
    db.session.add(person)
    db.session.flush()
    db.session.add(AttendeeProfile(user_id=person.id, updated_at=now))
    db.session.flush()
    preferences.save(person, answers, now=now, by=by, why=why)
    _acted("created_person", person, by=by, why=why, now=now, has_email=bool(email.strip()))
    return person


def person_from_referral(referral_id: int, *, by: User, why: str, now: datetime) -> User:
    """The person a referral is for, set up from it if nobody has been yet."""
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise BookingError("referral_not_found")
    person = lookup.attendee_for_referral(referral, now=now)
    _acted("set_up_from_referral", person, by=by, why=why, now=now, referral=referral.id)
    return person


def save_answers(
    person: User, answers: preferences.Answers, *, by: User, why: str, now: datetime
) -> None:
    """Write down what the person says they need and how to contact them."""
    if not has_real_email(person):
        answers.email_is_safe = False
    preferences.save(person, answers, now=now, by=by, why=why)


def book(
    person: User,
    session_id: int,
    *,
    by: User,
    why: str,
    now: datetime,
    women_only_confirmed: bool,
    base_url: str,
) -> Booking:
    """Book a place through the one placement function (referral rules apply)."""
    booking = confirmation.place_and_tell(
        session_id,
        person,
        now=now,
        by=by,
        source="staff",
        women_only_confirmed=women_only_confirmed,
        hold_minutes=STAFF_HOLD_MINUTES,
        base_url=base_url,
    )
    _acted("booked", person, by=by, why=why, now=now, booking=booking.reference)
    return booking


def take_phone_payment(
    booking: Booking, *, amount_pence: int, reference: str, by: User, why: str, now: datetime
):
    """A fee paid over the phone: the one offline-payment rule, which confirms the place."""
    payment = payments.record_offline_payment(
        booking.id,
        method=PaymentMethod.PHONE,
        amount_pence=amount_pence,
        reference=reference,
        by=by,
        now=now,
    )
    _acted("took_payment", booking.user, by=by, why=why, now=now, booking=booking.reference)
    return payment


def send_pay_link(
    booking: Booking, *, by: User, why: str, now: datetime, secret_key: str, link_for
):
    """Send a single-use sign-in link to pay, only by a channel the person said is safe.

    ``link_for(token)`` builds the link. Raises BookingError "no_safe_channel" when no safe
    channel can carry a link, and PaymentError "nothing_to_pay" when nothing is due.
    """
    person = booking.user
    due = payments.amount_due(booking)
    if due <= 0 or booking.hold_expires_at is None:
        raise PaymentError("nothing_to_pay")
    if not has_real_email(person) or not contact.email_is_safe(person):
        raise BookingError("no_safe_channel")
    link = link_for(access_links.token_for(person, secret_key=secret_key))
    messages.pay_link(booking, link=link, due_pence=due, now=now)
    _acted("sent_pay_link", person, by=by, why=why, now=now, booking=booking.reference)


def move(
    booking: Booking,
    new_session_id: int,
    *,
    by: User,
    why: str,
    now: datetime,
    women_only_confirmed: bool,
    base_url: str,
    policy: EndingPolicy,
) -> Booking:
    """Move the person to another date of the same course: the one rescheduling rule, with
    no minimum notice (staff on the phone can move someone late)."""
    new = rescheduling.reschedule(
        booking.id,
        new_session_id,
        booking.user,
        now=now,
        min_notice_hours=0,
        hold_minutes=STAFF_HOLD_MINUTES,
        base_url=base_url,
        policy=policy,
        women_only_confirmed=women_only_confirmed,
    )
    _acted(
        "moved_booking",
        booking.user,
        by=by,
        why=why,
        now=now,
        old=booking.reference,
        new=new.reference,
    )
    return new


def cancel(
    booking: Booking, *, by: User, why: str, now: datetime, policy: EndingPolicy
) -> cancellation.Ending:
    """Cancel for the person with the money settled: the one consequences function."""
    ending = cancellation.end_booking(booking, reason="staff", by=by, now=now, policy=policy)
    _acted("cancelled_booking", booking.user, by=by, why=why, now=now, booking=booking.reference)
    return ending


def what_cancelling_does(booking: Booking, *, now: datetime) -> list[str]:
    """What cancelling ``booking`` for the person would do, in sentences for the staff page
    shown before confirming: the money (refunded to the card now, listed for finance to give
    back, or nothing paid), help from the fund, the waiting list, and who is told and how.
    Staff cancelling is never "late" for the person, so ``days=0`` asks the one money rule."""
    money = cancellation.preview_cancellation(booking, now=now, days=0)
    lines = []
    if money.refund_pence:
        lines.append(
            f"{pounds(money.refund_pence)} paid by card is refunded to the card now, "
            "through Stripe."
        )
    if money.to_decide_pence:
        ways = sorted(
            {
                payment.method.value
                for payment in money_queries.payments_for(booking.id)
                if payment.refundable_pence > 0 and payment.method != PaymentMethod.CARD
            }
        )
        lines.append(
            f"{pounds(money.to_decide_pence)} paid by {' or '.join(ways) or 'card'} is not "
            "refunded automatically: it is listed for finance to give back (Money, refunds)."
        )
    if not money.refund_pence and not money.to_decide_pence:
        lines.append("Nothing has been paid, so there is nothing to refund.")
    awarded = dues.waived_pence(booking.id)
    if awarded:
        lines.append(f"The {pounds(awarded)} of help from the hardship fund goes back to it.")
    lines.append("The place is offered to the next person on the waiting list, if anyone waits.")
    lines.append(who_is_told(booking.user))
    return lines


def who_is_told(person: User) -> str:
    """Who hears of a change to ``person``'s booking, and by which channel, for staff."""
    name = contact.name_to_use(person) or "The person"
    reach = contact.safe_channels(person)
    if not reach:
        return (
            f"{name} has no safe way to be contacted, so will not be told: "
            "tell them yourself, on this call."
        )
    channel, address = reach[0]
    if channel == Channel.CALL:
        return f"{name} is told by a phone call from the team: it goes on the calls to make list."
    if channel == Channel.LETTER:
        return f"{name} is told by letter."
    return f"{name} is told by {contact.CHANNEL_NAMES[channel]} ({address})."


def extend_hold(booking: Booking, *, by: User, why: str, now: datetime) -> Booking:
    """Give a held place more time, under the one hold rule (once, before it runs out)."""
    locked = locks.lock_booking(booking.id)
    if locked is None:
        raise BookingError("not_found")
    holds.extend_hold(locked, person=locked.user, now=now, minutes=STAFF_EXTRA_MINUTES)
    _acted("extended_hold", locked.user, by=by, why=why, now=now, booking=locked.reference)
    return locked
