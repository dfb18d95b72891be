"""Queue messages in the outbox, in the same transaction as the change they report.

A message goes to the person's safe channels in their order of preference: one outbox row per
channel chosen, where a call is a task on the staff "calls to make" list. Texts and calls wait
for the person's safe hours. When a channel fails for good, the next safe channel takes over;
when there is none, the message waits on the staff list of messages withheld or failed.

Subject lines and the sender name stay neutral: they never name drugs, alcohol, the
police or the course's subject, because someone else may see the person's inbox.
"""

import json
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import Channel, Notification, NotificationStatus, User
from booking.services import audit
from booking.services.errors import ContactError
from booking.services.notify import channels as contact

# One subject per kind of message. Never name the course, drugs, alcohol or the police: a
# subject line shows on a locked phone screen and in a shared inbox.
NEUTRAL_SUBJECTS = {
    "password_reset": "Resetting your password",
    "booking_confirmed": "Your booking is confirmed",
    "session_cancelled": "A change to your booking",
    "booking_cancelled": "Your booking has been cancelled",
    "booking_reminder": "A reminder about your booking",
    "booking_reminder_today": "A reminder about today",
    "attendance_check": "About your booking tomorrow",
    "booking_rescheduled": "Your booking has been changed",
    "waitlist_offer": "A place is available for you",
    "referral_overdue": "About your booking deadline",
    "waiver_decided": "An update on your request",
    "access_link": "Your link to manage your booking",
    "account_exists": "About your account",
    "payment_refunded": "About your payment",
    "referral_rebook": "About your booking",
    "referral_deadline": "A reminder about your booking",
    "session_changed": "A change to your booking",
    "trainer_session_changed": "A change to your sessions",
    "trainer_released": "A change to your sessions",
    "pay_link": "Your link to pay",
    "staff_invite": "Your new account",
    "trainer_assigned": "A new session for you",
    "trainer_unassigned": "A change to your sessions",
    "trainer_session_cancelled": "A change to your sessions",
    "session_message": "A message about your booking",
    "after_course": "What next, if you would like it",
    "missed_session": "About your booking",
    "contact_first": "About your booking",
    "contact_nudge": "About your booking",
    "contact_day_before": "About your booking tomorrow",
    "sessions_changed": "A change to your bookings",
    "sessions_cancelled": "A change to your bookings",
    "trainer_sessions_changed": "A change to your sessions",
    "trainer_rota": "Your sessions have changed",
    "trainer_sessions_cancelled": "A change to your sessions",
}
# A kind missing from the table still gets a neutral subject rather than none.
FALLBACK_SUBJECT = "A message about your booking"

# Tasks that only ever go on the staff call list (never to a person on another channel).
CALL_TASK_SUBJECTS = {"change_requested": "Said they need to change their booking"}

# What a sender writes as the provider id when no provider is configured: the message was
# only shown on the development outbox page.
DEVELOPMENT_PROVIDER_ID = "development"

BASE_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 6 * 60 * 60
# A call with no answer is tried again later the same safe window, or the next one.
CALL_AGAIN_AFTER = timedelta(hours=2)
CALL_OUTCOMES = ("spoke", "no_answer", "wrong_number")
LIVE = (NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.SENT)


def subject_for(kind: str) -> str:
    return NEUTRAL_SUBJECTS.get(kind) or CALL_TASK_SUBJECTS.get(kind) or FALLBACK_SUBJECT


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 ... capped at 6 hours: retried for ever, never dropped."""
    return timedelta(
        seconds=min(BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    )


def _wordings_of(notification: Notification) -> dict[str, str]:
    return json.loads(notification.wordings) if notification.wordings else {}


def _row(
    person: User,
    *,
    kind: str,
    channel: Channel,
    address: str,
    body: str,
    now: datetime,
    wordings: str,
    booking_id: int | None,
    status: NotificationStatus = NotificationStatus.PENDING,
    profile: object = contact.LOOK_IT_UP,
) -> Notification:
    notification = Notification(
        user_id=person.id,
        channel=channel,
        to_address=address,
        kind=kind,
        subject=subject_for(kind),
        body=body,
        status=status,
        attempts=0,
        created_at=now,
        next_attempt_at=contact.next_safe_moment(person, channel, now, profile),
        wordings=wordings,
        booking_id=booking_id,
    )
    db.session.add(notification)
    return notification


def queue(
    person: User,
    *,
    kind: str,
    wordings: dict[Channel, str],
    now: datetime,
    booking_id: int | None = None,
    ics: str = "",
    every_channel: bool = False,
    profile: object = contact.LOOK_IT_UP,
) -> Notification | None:
    """Queue a message on the person's first safe channel that has wording for it (or on every
    written safe channel when ``every_channel``, for changes nobody should miss).

    ``wordings`` holds the body for each channel that may carry this kind. Returns the first
    row queued, or None when no safe channel can carry it: then a withheld row and an audit
    event let staff reach the person another way.
    """
    stored = json.dumps({channel.value: body for channel, body in wordings.items()})
    usable = [(channel, address) for channel, address in contact.safe_channels(person, profile)]
    usable = [(channel, address) for channel, address in usable if channel in wordings]
    if not usable:
        audit.record("notification.withheld", "user", person.id, actor=None, now=now, kind=kind)
        first = next(c for c in contact.preference_order(None) if c in wordings)
        _row(
            person,
            kind=kind,
            channel=Channel.EMAIL if Channel.EMAIL in wordings else first,
            address="",
            body=wordings.get(Channel.EMAIL, wordings[first]),
            now=now,
            wordings=stored,
            booking_id=booking_id,
            status=NotificationStatus.WITHHELD,
            profile=profile,
        )
        return None
    if every_channel:
        written = [item for item in usable if item[0] != Channel.CALL]
        chosen = written or usable[:1]
    else:
        chosen = usable[:1]
    rows = []
    for channel, address in chosen:
        row = _row(
            person,
            kind=kind,
            channel=channel,
            address=address,
            body=wordings[channel],
            now=now,
            wordings=stored,
            booking_id=booking_id,
            profile=profile,
        )
        if channel == Channel.EMAIL:
            row.ics_attachment = ics
        rows.append(row)
    return rows[0]


def queue_call_task(
    person: User, *, kind: str, script: str, now: datetime, booking_id: int | None = None
) -> Notification:
    """A task for staff to ring the person (on the calls list), whether or not a call is their
    first channel: used when the person asked us to (a reply saying they need to change)."""
    return _row(
        person,
        kind=kind,
        channel=Channel.CALL,
        address=contact.address_for(person, Channel.CALL, contact.profile_for(person)),
        body=script,
        now=now,
        wordings=json.dumps({Channel.CALL.value: script}),
        booking_id=booking_id,
    )


def _take_over(
    old: Notification, person: User, channel: Channel, address: str, now: datetime
) -> Notification:
    """A new row on ``channel`` carrying ``old``'s message, linked so the chain can be followed."""
    new = _row(
        person,
        kind=old.kind,
        channel=channel,
        address=address,
        body=_wordings_of(old)[channel.value],
        now=now,
        wordings=old.wordings,
        booking_id=old.booking_id,
    )
    if channel == Channel.EMAIL:
        new.ics_attachment = old.ics_attachment
    db.session.flush()
    old.followed_by_id = new.id
    return new


def move_on(notification: Notification, *, now: datetime, reason: str) -> Notification | None:
    """A message failed for good on its channel: mark it failed and queue it on the next safe
    channel in the person's order (a call task when calls are safe). Returns the new row, or
    None when nothing is left: it then shows on the staff list of messages withheld or failed.
    """
    notification.status = NotificationStatus.FAILED
    notification.last_error = reason[:500]
    person = db.session.get(User, notification.user_id) if notification.user_id else None
    if person is None:
        return None
    wordings = _wordings_of(notification)
    safe = [item for item in contact.safe_channels(person) if item[0].value in wordings]
    order = [channel for channel, _ in safe]
    later = (
        safe[order.index(notification.channel) + 1 :]
        if notification.channel in order
        else [item for item in safe if item[0] != notification.channel]
    )
    audit.record(
        "notification.failed",
        "notification",
        notification.id,
        actor=None,
        now=now,
        kind=notification.kind,
    )
    if not later:
        return None
    channel, address = later[0]
    return _take_over(notification, person, channel, address, now)


def retry_later(notification: Notification, *, now: datetime, error: str) -> None:
    """A passing failure (server down, rate limit, phone switched off): try again with back-off."""
    notification.status = NotificationStatus.PENDING
    notification.last_error = error[:500]
    notification.next_attempt_at = contact_moment(
        notification, now + backoff(notification.attempts)
    )


def contact_moment(notification: Notification, moment: datetime) -> datetime:
    person = db.session.get(User, notification.user_id) if notification.user_id else None
    if person is None:
        return moment
    return contact.next_safe_moment(person, notification.channel, moment)


def mark_sent(notification: Notification, *, now: datetime, provider_id: str = "") -> None:
    notification.status = NotificationStatus.SENT
    notification.sent_at = now
    notification.last_error = ""
    notification.provider_id = provider_id


# Notify's delivery receipt statuses, and what each means for the message.
RECEIPT_DELIVERED = frozenset({"delivered", "received", "accepted"})
RECEIPT_PERMANENT = frozenset({"permanent-failure", "validation-failed", "virus-scan-failed"})
RECEIPT_TEMPORARY = frozenset({"temporary-failure", "technical-failure"})


def record_receipt(provider_id: str, status: str, *, now: datetime) -> Notification | None:
    """Apply a provider's delivery receipt to the message it is about (None: not ours)."""
    if not provider_id:
        return None
    notification = db.session.scalar(
        select(Notification).where(Notification.provider_id == provider_id).with_for_update()
    )
    if notification is None:
        return None
    if notification.status != NotificationStatus.SENT:
        return notification  # a repeated or late receipt changes nothing
    if status in RECEIPT_DELIVERED:
        notification.status = NotificationStatus.DELIVERED
        notification.delivered_at = now
    elif status in RECEIPT_PERMANENT:
        move_on(notification, now=now, reason=f"Provider: {status}")
    elif status in RECEIPT_TEMPORARY:
        retry_later(notification, now=now, error=f"Provider: {status}")
    db.session.flush()
    return notification


def _staff_row(notification_id: int, *, channel: Channel | None = None) -> Notification:
    notification = db.session.scalar(
        select(Notification).where(Notification.id == notification_id).with_for_update()
    )
    if notification is None or (channel is not None and notification.channel != channel):
        raise ContactError("contact_task_gone")
    return notification


def record_call(notification_id: int, outcome: str, *, staff: User, now: datetime) -> Notification:
    """What happened when staff rang: spoke to them (done), no answer (try again in safe hours),
    or a wrong number (the next safe written channel takes the message)."""
    if outcome not in CALL_OUTCOMES:
        raise ContactError("call_outcome_unknown")
    call = _staff_row(notification_id, channel=Channel.CALL)
    if call.status != NotificationStatus.PENDING:
        raise ContactError("contact_task_gone")
    call.attempts += 1
    call.call_outcome = outcome
    if outcome == "spoke":
        call.status = NotificationStatus.DELIVERED
        call.delivered_at = now
        call.sent_at = now
    elif outcome == "no_answer":
        call.next_attempt_at = contact_moment(call, now + CALL_AGAIN_AFTER)
    else:
        move_on(call, now=now, reason="Wrong number")
    audit.record(
        "notification.call", "notification", call.id, actor=staff, now=now, outcome=outcome
    )
    db.session.flush()
    return call


def resend_options(
    notification: Notification, person: User, safe: list[tuple[Channel, str]] | None = None
) -> list[Channel]:
    """The safe channels a withheld or failed message could go to now (not the one that failed).
    ``safe`` is the person's safe channels when the caller already has them."""
    wordings = _wordings_of(notification)
    failed_here = notification.status == NotificationStatus.FAILED
    return [
        channel
        for channel, _ in (contact.safe_channels(person) if safe is None else safe)
        if channel.value in wordings and not (failed_here and channel == notification.channel)
    ]


def resend(notification_id: int, channel: Channel, *, staff: User, now: datetime) -> Notification:
    """Staff send a withheld or failed message again on another channel that is safe now."""
    old = _staff_row(notification_id)
    person = db.session.get(User, old.user_id) if old.user_id else None
    if (
        person is None
        or old.status not in (NotificationStatus.WITHHELD, NotificationStatus.FAILED)
        or old.followed_by_id is not None
    ):
        raise ContactError("contact_task_gone")
    if channel not in resend_options(old, person):
        raise ContactError("channel_not_safe")
    address = dict(contact.safe_channels(person))[channel]
    new = _take_over(old, person, channel, address, now)
    audit.record(
        "notification.resent", "notification", old.id, actor=staff, now=now, channel=channel.value
    )
    return new


def what_was_sent(notification: Notification | None) -> str:
    """Plain words for a page: 'We have sent you a text message.' or how we will reach you."""
    if notification is None:
        return ""
    name = contact.CHANNEL_NAMES[notification.channel]
    if notification.channel == Channel.CALL:
        return "Someone from our team will phone you at a time you said is safe."
    if notification.channel == Channel.LETTER:
        return "We are sending you a letter."
    article = "an" if name[0] in "aeiou" else "a"
    return f"We are sending you {article} {name}."
