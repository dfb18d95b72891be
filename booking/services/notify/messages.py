"""The messages people get about their bookings, queued in the outbox (rule 6 applies).

Bodies are calm and plain; subjects come from outbox.NEUTRAL_SUBJECTS. Each function returns
the queued Notification, or None when email is not safe for the person.
"""

from datetime import datetime

from booking.models import Booking, Notification, Referral, User, WaitingListEntry
from booking.services.bookings.calendar import booking_ics
from booking.services.notify import channels as contact
from booking.services.notify import outbox
from booking.web.filters import LONDON


def _when(booking: Booking) -> str:
    start = booking.session.starts_at.astimezone(LONDON)
    end = booking.session.ends_at.astimezone(LONDON)
    return f"{start:%A %-d %B %Y}, {start:%H:%M} to {end:%H:%M}"


def _where(booking: Booking) -> str:
    course_session = booking.session
    if course_session.is_online:
        return "Online" + (
            f". Join here: {course_session.online_join_url}"
            if course_session.online_join_url
            else ""
        )
    venue = course_session.venue
    return f"{venue.name}, {venue.address}, {venue.postcode}" if venue else ""


def _hello(person: User) -> str:
    return f"Hello {contact.name_to_use(person)},\n\n"


def booking_confirmed(booking: Booking, *, now: datetime, base_url: str) -> Notification | None:
    """Confirmation with the calendar file attached."""
    body = (
        _hello(booking.user) + f"Your place is booked.\n\nWhen: {_when(booking)}\n"
        f"Where: {_where(booking)}\nBooking reference: {booking.reference}\n\n"
        f"You can see or change your booking at {base_url}/my/bookings\n"
    )
    notification = outbox.queue_email(booking.user, kind="booking_confirmed", body=body, now=now)
    if notification is not None:
        notification.ics_attachment = booking_ics(booking, base_url=base_url)
    return notification


def booking_reminder(booking: Booking, *, now: datetime, base_url: str) -> Notification | None:
    """Reminder two days before; online sessions include the joining link."""
    body = (
        _hello(booking.user) + f"A reminder of your booking.\n\nWhen: {_when(booking)}\n"
        f"Where: {_where(booking)}\nBooking reference: {booking.reference}\n\n"
        f"If you cannot come, please cancel at {base_url}/my/bookings so someone else can "
        "have the place.\n"
    )
    notification = outbox.queue_email(booking.user, kind="booking_reminder", body=body, now=now)
    if notification is not None:
        notification.ics_attachment = booking_ics(booking, base_url=base_url)
    return notification


_ENDED_OPENING = {
    "attendee": "Your booking {reference} for {when} is cancelled.",
    "staff": "We have had to cancel your booking {reference} for {when}.",
    "session_cancelled": (
        "We are sorry: the session on {when} has had to be cancelled. "
        "Your booking {reference} there is released."
    ),
    "referral_withdrawn": "Your booking {reference} for {when} is cancelled.",
    "expired": "The place held for you on {when} (booking {reference}) has been released.",
}


def _money_words(money: str, refunded_pence: int, returned_to_fund: bool) -> str:
    """One plain sentence on what happens to the person's money (never left unsaid)."""
    if money == "refunded":
        words = (
            f"We are refunding the £{refunded_pence / 100:.2f} you paid to the card you used. "
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


def booking_ended(
    booking: Booking,
    *,
    why: str,
    money: str,
    refunded_pence: int,
    returned_to_fund: bool,
    now: datetime,
) -> Notification | None:
    """A booking has ended (not moved): what happened, and what happens to their money."""
    opening = _ENDED_OPENING.get(why, _ENDED_OPENING["attendee"]).format(
        reference=booking.reference, when=_when(booking)
    )
    body = (
        _hello(booking.user)
        + opening
        + "\n\n"
        + _money_words(money, refunded_pence, returned_to_fund)
        + "\n\nIf you would like another date, or help with anything, please reply and we "
        "will help.\n"
    )
    kind = "session_cancelled" if why == "session_cancelled" else "booking_cancelled"
    return outbox.queue_email(booking.user, kind=kind, body=body, now=now)


def booking_rescheduled(
    old: Booking, new: Booking, *, now: datetime, base_url: str
) -> Notification | None:
    body = (
        _hello(new.user) + f"Your booking has moved.\n\nWas: {_when(old)}\n"
        f"Now: {_when(new)}\nWhere: {_where(new)}\nBooking reference: {new.reference}\n"
    )
    notification = outbox.queue_email(new.user, kind="booking_rescheduled", body=body, now=now)
    if notification is not None:
        notification.ics_attachment = booking_ics(new, base_url=base_url)
    return notification


def waitlist_offer(
    entry: WaitingListEntry, *, now: datetime, claim_url: str
) -> Notification | None:
    expires = entry.offer_expires_at.astimezone(LONDON)
    body = _hello(entry.user) + (
        "A place has become free on a session you were waiting for. We are keeping it for you "
        f"until {expires:%A %-d %B, %H:%M}.\n\nTo take it, open: {claim_url}\n\n"
        "If you do not want it, you need do nothing and it will pass to the next person.\n"
    )
    return outbox.queue_email(entry.user, kind="waitlist_offer", body=body, now=now)


def referral_overdue(referral: Referral, *, now: datetime) -> Notification | None:
    """A calm, plain notice that the time to book has ended (rule 7)."""
    if referral.user is None:
        return None
    body = _hello(referral.user) + (
        "The time to complete your booking has now ended, so we have let the organisation "
        "that referred you know. You have not done anything wrong by reading this. If you "
        "think this is a mistake or you need help, please reply or call us.\n"
    )
    return outbox.queue_email(referral.user, kind="referral_overdue", body=body, now=now)


def waiver_decision(person: User, *, body: str, now: datetime) -> Notification | None:
    """For the hardship-fund work: the decision's text is written there."""
    return outbox.queue_email(person, kind="waiver_decision", body=_hello(person) + body, now=now)


def access_link(person: User, *, link: str, now: datetime) -> Notification | None:
    body = _hello(person) + f"Use this link to see or change your booking:\n{link}\n"
    return outbox.queue_email(person, kind="access_link", body=body, now=now)
