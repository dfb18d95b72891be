"""Deliver the outbox: claim pending messages, send each once, retry failures with backoff.

It delivers every channel: email through integrations/email_sender (SMTP), texts and letters
through integrations/notify_sender (GOV.UK Notify, or the development outbox page when none is
set up).

Each message is claimed (status "sending") in its own short transaction just before it is
sent, one at a time, so two senders never send the same row; it is marked sent after the server
accepted it. When the server is down the row goes back to "pending" with a later
``next_attempt_at``; nothing is lost.

A claim is a lease of CLAIM_LEASE (30 seconds, longer than the senders' 10-second timeouts, so a
living sender always finishes inside it). A row still "sending" after its lease was in flight
when its sender died: the next sender takes it over, counts the attempt that died and notes on
the row that it may have arrived twice, then sends it once more.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import Flask
from sqlalchemy import and_, or_, select

from booking.database import unit_of_work
from booking.extensions import db
from booking.integrations.email_sender import EmailSender, MailSettings
from booking.integrations.notify_sender import (
    DevelopmentOutbox,
    NotifySender,
    NotifySettings,
    PermanentFailure,
)
from booking.models import Channel, Notification, NotificationStatus, utcnow
from booking.services.notify import outbox

CLAIM_LEASE = timedelta(seconds=30)
# Sends that fail in a row before a run stops for now (the server is down).
FAILURES_BEFORE_PAUSE = 5
TAKEN_OVER = "Sent again after its sender stopped while sending: it may have arrived twice."


class ChannelSender(Protocol):
    """A way of reaching a person: SMTP for email, GOV.UK Notify (notify_sender) for texts and
    letters. ``send`` returns the provider's id for the message, if it gives one; it raises
    PermanentFailure when retrying cannot help."""

    def send(self, notification: Notification) -> str | None: ...


def _claim_next(now: datetime) -> tuple[int, bool] | None:
    """Claim the next message due (its id, and whether it was taken over from a sender that
    died mid-send), or None when nothing is due."""
    with unit_of_work():
        row = db.session.scalars(
            select(Notification)
            .where(
                or_(
                    and_(
                        Notification.status == NotificationStatus.PENDING,
                        Notification.next_attempt_at <= now,
                    ),
                    and_(
                        Notification.status == NotificationStatus.SENDING,
                        Notification.claimed_at <= now - CLAIM_LEASE,
                    ),
                )
            )
            # A call is a task for staff, never sent by a machine.
            .where(Notification.channel != Channel.CALL)
            .order_by(Notification.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        taken_over = row.status == NotificationStatus.SENDING
        if taken_over:
            row.attempts += 1  # the send that died with its sender
            row.last_error = TAKEN_OVER
        row.status = NotificationStatus.SENDING
        row.claimed_at = now
        return row.id, taken_over


def send_pending(*, now: datetime, channels: dict[Channel, ChannelSender]) -> dict[str, int]:
    """Send every message due at ``now``. Returns counts of sent, retrying and moved on (failed
    for good, so the next safe channel or a call task took over)."""
    counts = {"sent": 0, "retrying": 0, "moved_on": 0}
    failures_in_a_row = 0
    while (claimed := _claim_next(now)) is not None:
        notification_id, taken_over = claimed
        outcome = _send_one(notification_id, channels, now=now, taken_over=taken_over)
        if outcome is not None:
            counts[outcome] += 1
        failures_in_a_row = failures_in_a_row + 1 if outcome == "retrying" else 0
        if failures_in_a_row >= FAILURES_BEFORE_PAUSE:
            return counts  # the server is down: stop for now, rows wait for their next attempt
    return counts


def _send_one(
    notification_id: int,
    channels: Mapping[Channel, ChannelSender],
    *,
    now: datetime,
    taken_over: bool = False,
) -> str | None:
    """Send one claimed message and record what happened: "sent", "retrying" or "moved_on"
    (None when the row has gone since it was claimed: erased, so nothing to send)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return None
    error, permanent, provider_id = "", False, None
    try:
        provider_id = channels[notification.channel].send(notification)
    except PermanentFailure as refusal:
        error, permanent = str(refusal), True
    except Exception as problem:  # any other failure: keep the message and retry later
        error = f"{type(problem).__name__}: {problem}"[:500]
    with unit_of_work():
        notification = db.session.get(Notification, notification_id)
        if notification is None:
            return None
        notification.attempts += 1
        if permanent:
            outbox.move_on(notification, now=now, reason=error)
            return "moved_on"
        if error:
            outbox.retry_later(notification, now=now, error=error)
            return "retrying"
        outbox.mark_sent(notification, now=now, provider_id=provider_id or "")
        if taken_over:
            notification.last_error = TAKEN_OVER  # staff can see it may have gone twice
        return "sent"


def default_channels(config: Mapping[str, Any]) -> dict[Channel, ChannelSender]:
    """Email by SMTP (or Notify when its email template is set); texts and letters by Notify
    when NOTIFY_API_KEY is set, otherwise onto the development outbox page."""
    notify = NotifySettings.from_config(config)
    email: ChannelSender = EmailSender(MailSettings.from_config(config))
    if notify is None:
        development = DevelopmentOutbox()
        return {Channel.EMAIL: email, Channel.TEXT: development, Channel.LETTER: development}
    if notify.email_template_id:
        email = NotifySender(notify, Channel.EMAIL)
    return {
        Channel.EMAIL: email,
        Channel.TEXT: NotifySender(notify, Channel.TEXT),
        Channel.LETTER: NotifySender(notify, Channel.LETTER),
    }


def send_now(config: Mapping[str, Any]) -> dict[str, int]:
    """Deliver everything due now, by the channels the settings choose."""
    return send_pending(now=utcnow(), channels=default_channels(config))


def init_app(app: Flask) -> None:
    if not app.config.get("SEND_NOTIFICATIONS_AFTER_REQUEST"):
        return

    @app.teardown_request
    def send_after_request(error: BaseException | None) -> None:
        # Development convenience: deliver what the request queued. Never breaks a response.
        if error is not None:
            return
        try:
            db.session.remove()
            send_now(app.config)
        except Exception:  # noqa: BLE001 - mail trouble must never reach the person
            app.logger.warning("Could not send notifications after the request", exc_info=True)
