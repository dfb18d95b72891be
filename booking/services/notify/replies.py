"""Texts people send back: "1" (still coming) or "2" (need to change) to the day-before text.

Notify passes each received text to our callback. The reply is matched to the person by their
phone number and to the booking their last "are you still coming" text was about. "Still
coming" shows on the trainer's roster; "need to change" becomes a call task for staff.
"""

import re
from datetime import datetime

from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    Channel,
    Notification,
    TextReply,
)
from booking.services import audit
from booking.services.notify import messages

COMING = "coming"
CHANGE = "change"
# What a trainer or staff member sees for each meaning.
MEANING_WORDS = {COMING: "said they are coming", CHANGE: "said they need to change"}


def normalise_number(number: str) -> str:
    """'+44 7700 900123' and '07700900123' are the same phone: compare UK numbers as 07..."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits


def meaning_of(content: str) -> str:
    words = content.strip().lower()
    if words.startswith("1") or words in {"yes", "coming", "still coming"}:
        return COMING
    if words.startswith("2") or words in {"no", "change"}:
        return CHANGE
    return ""


def _booking_asked_about(number: str) -> Booking | None:
    """The booking the last day-before text to this number was about."""
    candidates = db.session.execute(
        select(Notification, AttendeeProfile.phone_number)
        .join(AttendeeProfile, AttendeeProfile.user_id == Notification.user_id)
        .where(
            Notification.kind == "attendance_check",
            Notification.channel == Channel.TEXT,
            Notification.booking_id.is_not(None),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(500)
    ).all()
    for notification, phone in candidates:
        if normalise_number(phone) == number:
            return db.session.get(Booking, notification.booking_id)
    return None


def record_reply(*, provider_id: str, from_number: str, content: str, now: datetime) -> TextReply:
    """Record a received text once (Notify may call twice); a "2" queues a call task."""
    existing = db.session.scalar(select(TextReply).where(TextReply.provider_id == provider_id))
    if existing is not None:
        return existing
    number = normalise_number(from_number)
    booking = _booking_asked_about(number)
    reply = TextReply(
        provider_id=provider_id,
        from_number=number[:30],
        content=content[:500],
        meaning=meaning_of(content) if booking else "",
        user_id=booking.user_id if booking else None,
        booking_id=booking.id if booking else None,
        received_at=now,
    )
    db.session.add(reply)
    db.session.flush()
    audit.record("text_reply.received", "text_reply", reply.id, actor=None, now=now)
    if booking is not None and reply.meaning == CHANGE:
        messages.change_requested(booking, now=now, reply=content.strip()[:40])
    return reply


def latest_for_session(session_id: int) -> dict[int, str]:
    """booking id -> what the person last said ("coming" or "change"), in one query."""
    rows = db.session.execute(
        select(TextReply.booking_id, TextReply.meaning)
        .join(Booking, Booking.id == TextReply.booking_id)
        .where(Booking.session_id == session_id, TextReply.meaning != "")
        .order_by(TextReply.received_at, TextReply.id)
    ).all()
    return {booking_id: meaning for booking_id, meaning in rows if booking_id is not None}
