"""The messages people get, worded in templates/messages/ and queued in the outbox.

Each kind of message has wording for every channel: the email (and, with "Dear" and a phone
number instead of "reply", the letter) in ``templates/messages/<kind>.txt``, the text message in
``templates/messages/text/<kind>.txt``, and a call script built around the text's wording
(``call/_script.txt``); one neutral subject per kind is in ``outbox.NEUTRAL_SUBJECTS``. Bodies
are calm and plain. Each function returns the first outbox row queued (on the person's first
safe channel), or None when no safe channel can carry the message.

Every route that confirms a place (no fee, card payment, approved waiver, payment taken another
way, a move to another date) sends the same confirmation through ``booking_confirmed`` (or
``booking_rescheduled``, which shares its details), so everyone gets the date, the time, the place
or joining link, the reference and a calendar file.
"""

from datetime import datetime
from typing import Any

from booking.models import (
    Booking,
    Channel,
    CourseSession,
    Notification,
    Referral,
    User,
    WaitingListEntry,
)
from booking.services import audit
from booking.services.bookings.calendar import booking_ics
from booking.services.money.amounts import pounds
from booking.services.notify import channels as contact
from booking.services.notify import outbox, wording

# Not sent (and not listed for staff as withheld) when no safe channel can carry them: extra
# nudges, and links that expire within the hour (a resend days later would not work; the
# password reset page says to call us instead).
ONLY_IF_REACHABLE = frozenset(
    {"attendance_check", "booking_reminder_today", "password_reset", "account_exists"}
)
# Changes nobody should miss go to every safe written channel, not only the first.
EVERY_SAFE_CHANNEL = frozenset({"session_cancelled", "session_changed"})


def _queue(
    person: User, kind: str, *, now: datetime, ics: str = "", **context: Any
) -> Notification | None:
    """Queue ``kind`` for ``person`` on their safe channels (see outbox.queue)."""
    # Read once: choosing the channel, the name and the safe hours all need it.
    profile = contact.contact_profile(person)
    if kind in ONLY_IF_REACHABLE:
        allowed = wording.ONLY_BY.get(kind, set(Channel))
        if not any(channel in allowed for channel, _ in contact.safe_channels(person, profile)):
            audit.record("notification.withheld", "user", person.id, actor=None, now=now, kind=kind)
            return None
    booking = context.get("booking")
    return outbox.queue(
        person,
        kind=kind,
        wordings=wording.render_all(kind, person=person, profile=profile, **context),
        now=now,
        booking_id=booking.id if isinstance(booking, Booking) else None,
        ics=ics,
        every_channel=kind in EVERY_SAFE_CHANNEL,
        profile=profile,
    )


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
        # A guest never made a password: they are not told to sign in.
        has_password=booking.user.password_chosen,
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


def booking_reminder_today(
    booking: Booking, *, now: datetime, base_url: str = ""
) -> Notification | None:
    """The morning-of text: where (or the joining link) and a number to call. Texts only."""
    return _about_a_booking(booking, "booking_reminder_today", now=now, base_url=base_url)


def attendance_check(booking: Booking, *, now: datetime, base_url: str = "") -> Notification | None:
    """The day-before text: "Reply 1 if you are still coming, 2 if you need to change"."""
    return _about_a_booking(booking, "attendance_check", now=now, base_url=base_url)


def change_requested(booking: Booking, *, now: datetime, reply: str) -> Notification:
    """A call task for staff: the person replied that they need to change their booking."""
    person = booking.user
    script = wording.render_call_task(
        "change_requested",
        name=contact.name_to_use(person),
        booking=booking,
        session=booking.session,
        reply=reply,
        voicemail=contact.voicemail_is_safe(person),
    )
    return outbox.queue_call_task(
        person, kind="change_requested", script=script, now=now, booking_id=booking.id
    )


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
    base_url: str = "",
) -> Notification | None:
    """A part award or a decline: what is left to pay, for how long the place is kept, and a
    link to pay on the booking's page. A full award sends ``booking_confirmed`` instead."""
    return _queue(
        booking.user,
        "waiver_decided",
        now=now,
        booking=booking,
        booking_url=_booking_url(booking, base_url),
        approved=approved,
        due_pence=due_pence,
        days_to_pay=days_to_pay,
        reason=reason,
    )


def access_link(person: User, *, link: str, now: datetime, code: str = "") -> Notification | None:
    """A link that opens the person's bookings without a password, and a code that does the
    same when typed with a booking reference (on another device, say)."""
    return _queue(person, "access_link", now=now, link=link, code=code)


def pay_link(booking: Booking, *, link: str, due_pence: int, now: datetime) -> Notification | None:
    """A single-use link to pay for a place staff booked with the person over the phone."""
    return _queue(
        booking.user, "pay_link", now=now, booking=booking, link=link, due_pence=due_pence
    )


def staff_invite(person: User, *, link: str, role_name: str, days: int, now: datetime):
    """A new member of staff's single-use link to choose a password."""
    return _queue(person, "staff_invite", now=now, link=link, role_name=role_name, days=days)


def password_reset(person: User, *, link: str, now: datetime) -> Notification | None:
    """The link to choose a new password."""
    return _queue(person, "password_reset", now=now, link=link)


def payment_refunded(
    booking: Booking, *, now: datetime, covered_pence: int = 0
) -> Notification | None:
    """A payment arrived after the place was lost, so it was refunded in full; or, with
    ``covered_pence``, it arrived after the fee was already covered (the hardship fund said yes
    meanwhile), so that much of it was given back and the place is kept."""
    return _queue(
        booking.user,
        "payment_refunded",
        now=now,
        booking=booking,
        covered=pounds(covered_pence) if covered_pence else "",
    )


def account_exists(
    owner: User, *, now: datetime, booked_as_guest: bool = False
) -> Notification | None:
    """Someone tried to register this person's address: tell the owner, not whoever tried.

    ``booked_as_guest``: someone booked without signing in and gave this address, so messages
    about that booking will come here too; the owner learns why, and whom to ask to stop them.
    """
    return _queue(owner, "account_exists", now=now, booked_as_guest=booked_as_guest)


def referral_rebook(referral: Referral, *, choose_url: str, now: datetime) -> Notification | None:
    """After a missed session, a calm offer to choose another date before the deadline."""
    if referral.user is None:
        return None
    return _queue(
        referral.user, "referral_rebook", now=now, deadline=referral.deadline, choose_url=choose_url
    )


def referral_deadline(
    referral: Referral, *, days_left: int, choose_url: str, now: datetime
) -> Notification | None:
    """A calm reminder that time to book is running out (sent 14, 7 and 3 days before)."""
    if referral.user is None:
        return None
    return _queue(
        referral.user,
        "referral_deadline",
        now=now,
        days_left=days_left,
        deadline=referral.deadline,
        choose_url=choose_url,
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


def trainer_assigned(
    trainer: User, course_session: CourseSession, *, is_lead: bool, now: datetime
) -> Notification | None:
    """A trainer has been put on a session (by hand, or when an allocation is published)."""
    return _queue(trainer, "trainer_assigned", now=now, session=course_session, is_lead=is_lead)


def trainer_unassigned(
    trainer: User, course_session: CourseSession, *, now: datetime
) -> Notification | None:
    """Staff took a trainer off a session."""
    return _queue(trainer, "trainer_unassigned", now=now, session=course_session)


def trainer_session_cancelled(
    trainer: User, course_session: CourseSession, *, now: datetime
) -> Notification | None:
    """A session the trainer was down to deliver has been cancelled."""
    return _queue(trainer, "trainer_session_cancelled", now=now, session=course_session)


def session_message(booking: Booking, *, text: str, now: datetime) -> Notification | None:
    """Staff's own words to everyone booked on a session, inside a neutral opening and the
    booking's details (the subject and the first lines stay neutral whatever staff wrote)."""
    return _queue(
        booking.user,
        "session_message",
        now=now,
        booking=booking,
        session=booking.session,
        text=text,
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
            f"We are refunding the {pounds(refunded_pence)} you paid to the card you used. "
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
