"""The messages people get, worded in templates/messages/ and queued in the outbox.

Each kind of message has one plain-text template, ``templates/messages/<kind>.txt``, and one
neutral subject in ``outbox.NEUTRAL_SUBJECTS``. Bodies are calm and plain. Each function returns
the queued Notification, or None when email is not safe for the person.

Every route that confirms a place (no fee, card payment, approved waiver, payment taken another
way, a move to another date) sends the same confirmation through ``booking_confirmed`` (or
``booking_rescheduled``, which shares its details), so everyone gets the date, the time, the place
or joining link, the reference and a calendar file.
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from booking.models import Booking, CourseSession, Notification, Referral, User, WaitingListEntry
from booking.services.bookings.calendar import booking_ics
from booking.services.clock import long_date, time_of_day
from booking.services.notify import channels as contact
from booking.services.notify import outbox

TEMPLATE_FOLDER = Path(__file__).resolve().parents[3] / "templates" / "messages"


def _pounds(pence: int) -> str:
    pounds, remainder = divmod(pence, 100)
    return f"£{pounds:,}.{remainder:02d}"


# Plain text, so no HTML escaping; a missing value is an error, never a silent blank in a message.
_templates = Environment(
    loader=FileSystemLoader(TEMPLATE_FOLDER),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_templates.filters.update(long_date=long_date, time_of_day=time_of_day, pounds=_pounds)


def render(kind: str, **context: Any) -> str:
    """The body of a message of ``kind``, from ``templates/messages/<kind>.txt``."""
    return _templates.get_template(f"{kind}.txt").render(**context)


def _queue(
    person: User, kind: str, *, now: datetime, ics: str = "", **context: Any
) -> Notification | None:
    body = render(kind, name=contact.name_to_use(person), **context)
    notification = outbox.queue_email(person, kind=kind, body=body, now=now)
    if notification is not None and ics:
        notification.ics_attachment = ics
    return notification


def _manage_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/my/bookings" if base_url else ""


def _about_a_booking(
    booking: Booking, kind: str, *, now: datetime, base_url: str, **context: Any
) -> Notification | None:
    """The one builder for a message that carries a booking's details and its calendar file."""
    return _queue(
        booking.user,
        kind,
        now=now,
        ics=booking_ics(booking, base_url=base_url),
        booking=booking,
        session=booking.session,
        manage_url=_manage_url(base_url),
        **context,
    )


def booking_confirmed(
    booking: Booking, *, now: datetime, base_url: str = "", via: str = ""
) -> Notification | None:
    """ "Your place is confirmed", with when, where, the reference and the calendar file.

    ``via`` says what confirmed it ("payment", "waiver", or "" for a place with nothing to pay),
    which only changes the opening line. Without ``base_url`` the message says how to find the
    booking instead of linking to it.
    """
    return _about_a_booking(booking, "booking_confirmed", now=now, base_url=base_url, via=via)


def booking_rescheduled(
    old: Booking, new: Booking, *, now: datetime, base_url: str = ""
) -> Notification | None:
    """The confirmation of the new place after a move, saying which date it replaces."""
    return _about_a_booking(
        new, "booking_rescheduled", now=now, base_url=base_url, old_session=old.session
    )


def booking_reminder(booking: Booking, *, now: datetime, base_url: str = "") -> Notification | None:
    """Reminder two days before; online sessions include the joining link."""
    return _about_a_booking(booking, "booking_reminder", now=now, base_url=base_url)


def booking_cancelled(booking: Booking, *, now: datetime, note: str = "") -> Notification | None:
    """The booking has ended; ``note`` says what happens to any money (written by the caller)."""
    return _queue(
        booking.user,
        "booking_cancelled",
        now=now,
        booking=booking,
        session=booking.session,
        note=note,
    )


def session_cancelled(booking: Booking, *, now: datetime, note: str = "") -> Notification | None:
    """The charity cancelled the session; ``note`` says what happens to any money."""
    return _queue(
        booking.user,
        "session_cancelled",
        now=now,
        booking=booking,
        session=booking.session,
        note=note,
    )


def waitlist_offer(
    entry: WaitingListEntry, *, now: datetime, claim_url: str
) -> Notification | None:
    """A freed place kept for the person until the offer expires."""
    return _queue(
        entry.user,
        "waitlist_offer",
        now=now,
        session=entry.session,
        expires_at=entry.offer_expires_at,
        claim_url=claim_url,
    )


def after_course(
    booking: Booking, sessions: list[CourseSession], *, now: datetime, base_url: str = ""
) -> Notification | None:
    """Thank you for coming, and the next support sessions near the person or online."""
    return _queue(
        booking.user,
        "after_course",
        now=now,
        sessions=sessions,
        booking_url=_booking_url(booking, base_url),
    )


def missed_session(
    booking: Booking, sessions: list[CourseSession], *, now: datetime, base_url: str = ""
) -> Notification | None:
    """A calm offer of another date after a missed session (without a referral)."""
    return _queue(
        booking.user,
        "missed_session",
        now=now,
        sessions=sessions,
        booking_url=_booking_url(booking, base_url),
    )


def _booking_url(booking: Booking, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/my/bookings/{booking.reference}" if base_url else ""


def referral_overdue(referral: Referral, *, now: datetime) -> Notification | None:
    """A calm, plain notice that the time to book has ended."""
    if referral.user is None:
        return None
    return _queue(referral.user, "referral_overdue", now=now)


def waiver_decided(
    booking: Booking,
    *,
    approved: bool,
    due_pence: int,
    days_to_pay: int,
    reason: str = "",
    now: datetime,
) -> Notification | None:
    """A part award or a decline: what is left to pay and for how long the place is kept.

    A full award confirms the place, so it sends ``booking_confirmed(via="waiver")`` instead.
    """
    return _queue(
        booking.user,
        "waiver_decided",
        now=now,
        booking=booking,
        approved=approved,
        due_pence=due_pence,
        days_to_pay=days_to_pay,
        reason=reason,
    )


def waiver_decision(person: User, *, body: str, now: datetime) -> Notification | None:
    """A waiver message whose text the caller wrote; prefer ``waiver_decided``."""
    return _queue(person, "waiver_decision", now=now, text=body)


def access_link(person: User, *, link: str, now: datetime) -> Notification | None:
    """A link that opens the person's bookings without a password."""
    return _queue(person, "access_link", now=now, link=link)


def password_reset(person: User, *, link: str, now: datetime) -> Notification | None:
    """The link to choose a new password."""
    return _queue(person, "password_reset", now=now, link=link)


def payment_refunded(booking: Booking, *, now: datetime) -> Notification | None:
    """A payment arrived after the place was lost, so it was refunded in full."""
    return _queue(booking.user, "payment_refunded", now=now, booking=booking)


def account_exists(owner: User, *, now: datetime) -> Notification | None:
    """Someone tried to register this person's address: tell the owner, not whoever tried."""
    return _queue(owner, "account_exists", now=now)


def referral_rebook(referral: Referral, *, choose_url: str, now: datetime) -> Notification | None:
    """After a missed session, a calm offer to choose another date before the deadline."""
    if referral.user is None:
        return None
    return _queue(
        referral.user, "referral_rebook", now=now, deadline=referral.deadline, choose_url=choose_url
    )


def session_changed(booking: Booking, *, now: datetime, base_url: str = "") -> Notification | None:
    """The date, time or place of a booked session changed; the place is kept."""
    return _queue(
        booking.user,
        "session_changed",
        now=now,
        booking=booking,
        session=booking.session,
        manage_url=_manage_url(base_url),
    )


def trainer_session_changed(
    trainer: User, course_session: CourseSession, *, taken_off: bool, now: datetime
) -> Notification | None:
    """A trainer's session changed; ``taken_off`` when they no longer deliver it."""
    return _queue(
        trainer, "trainer_session_changed", now=now, session=course_session, taken_off=taken_off
    )


def trainer_released(
    trainer: User, sessions: list[CourseSession], *, now: datetime
) -> Notification | None:
    """Time off over sessions a trainer was down for: they are no longer on them."""
    return _queue(trainer, "trainer_released", now=now, sessions=sessions)


def money_note(money: str, *, refunded_pence: int, returned_to_fund: bool) -> str:
    """What happens to the person's money when a booking ends, in plain words (never unsaid).

    ``money`` is cancellation.Ending.money: "refunded", "staff_decide" or "nothing_paid".
    """
    if money == "refunded":
        words = (
            f"We are refunding the {_pounds(refunded_pence)} you paid to the card you used. "
            "It usually reaches your account within 5 to 10 working days."
        )
    elif money == "staff_decide":
        words = (
            "You paid for this booking. We will contact you about your payment; "
            "you do not need to do anything yet."
        )
    else:
        words = "You had not paid anything for this booking, so there is nothing to refund."
    if returned_to_fund:
        words += " The help you had with the fee goes back to our fund, for when you book again."
    return words
