"""Deliver the outbox: claim pending messages, send each once, retry failures with backoff.

Despite the module's name it delivers every channel: email over SMTP here, texts and letters
through notify_sender (GOV.UK Notify, or the development outbox page when none is set up).

Each message is claimed (status "sending") in its own short transaction before it is sent, so
two senders never send the same row; it is marked sent after the server accepted it. When the
server is down the row goes back to "pending" with a later ``next_attempt_at``; nothing is lost.
A row left in "sending" by a crashed sender is retried after CLAIM_TIMEOUT (at-least-once only
in that crash case).
"""

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol

from sqlalchemy import and_, or_, select

from booking.database import unit_of_work
from booking.extensions import db
from booking.integrations.notify_sender import (
    DevelopmentOutbox,
    NotifySender,
    NotifySettings,
    PermanentFailure,
)
from booking.models import Channel, Notification, NotificationStatus
from booking.services.notify import outbox
from booking.services.notify.outbox import backoff as backoff  # re-exported for callers

CLAIM_TIMEOUT = timedelta(minutes=10)
BATCH_SIZE = 50


@dataclass
class MailSettings:
    server: str = "127.0.0.1"
    port: int = 25
    use_tls: bool = False
    username: str = ""
    password: str = ""
    sender_name: str = "Waypoint bookings"
    sender_address: str = "bookings@waypoint.invalid"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        return cls(
            server=config.get("MAIL_SERVER", "127.0.0.1"),
            port=int(config.get("MAIL_PORT", 25)),
            use_tls=bool(config.get("MAIL_USE_TLS", False)),
            username=config.get("MAIL_USERNAME", "") or "",
            password=config.get("MAIL_PASSWORD", "") or "",
            sender_name=config.get("MAIL_SENDER_NAME", "Waypoint bookings"),
            sender_address=config.get("MAIL_SENDER_ADDRESS", "bookings@waypoint.invalid"),
        )


class ChannelSender(Protocol):
    """A way of reaching a person: SMTP for email, GOV.UK Notify (notify_sender) for texts and
    letters. ``send`` returns the provider's id for the message, if it gives one; it raises
    PermanentFailure when retrying cannot help."""

    def send(self, notification: Notification) -> str | None: ...


class EmailSender:
    def __init__(self, settings: MailSettings):
        self.settings = settings

    def build(self, notification: Notification) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self.settings.sender_name, self.settings.sender_address))
        message["To"] = notification.to_address
        message["Subject"] = notification.subject
        message["Message-ID"] = make_msgid(idstring=f"n{notification.id}")
        message.set_content(notification.body)
        if notification.ics_attachment:
            message.add_attachment(
                notification.ics_attachment.encode("utf-8"),
                maintype="text",
                subtype="calendar",
                filename="booking.ics",
            )
        return message

    def send(self, notification: Notification) -> str | None:
        settings = self.settings
        with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(self.build(notification))
        return None


def _claim(now: datetime, limit: int) -> list[int]:
    with unit_of_work():
        rows = db.session.scalars(
            select(Notification)
            .where(
                or_(
                    and_(
                        Notification.status == NotificationStatus.PENDING,
                        Notification.next_attempt_at <= now,
                    ),
                    and_(
                        Notification.status == NotificationStatus.SENDING,
                        Notification.claimed_at <= now - CLAIM_TIMEOUT,
                    ),
                )
            )
            # A call is a task for staff, never sent by a machine.
            .where(Notification.channel != Channel.CALL)
            .order_by(Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.status = NotificationStatus.SENDING
            row.claimed_at = now
        ids = [row.id for row in rows]
    return ids


def send_pending(*, now: datetime, channels: dict[Channel, ChannelSender]) -> dict[str, int]:
    """Send every message due at ``now``. Returns counts of sent, retrying and moved on (failed
    for good, so the next safe channel or a call task took over)."""
    counts = {"sent": 0, "retrying": 0, "moved_on": 0}
    while True:
        ids = _claim(now, BATCH_SIZE)
        if not ids:
            return counts
        for notification_id in ids:
            notification = db.session.get(Notification, notification_id)
            error, permanent, provider_id = "", False, None
            try:
                provider_id = channels[notification.channel].send(notification)
            except PermanentFailure as refusal:
                error, permanent = str(refusal), True
            except Exception as problem:  # any other failure: keep the message and retry later
                error = f"{type(problem).__name__}: {problem}"[:500]
            with unit_of_work():
                notification = db.session.get(Notification, notification_id)
                notification.attempts += 1
                if permanent:
                    outbox.move_on(notification, now=now, reason=error)
                    counts["moved_on"] += 1
                elif error:
                    outbox.retry_later(notification, now=now, error=error)
                    counts["retrying"] += 1
                else:
                    outbox.mark_sent(notification, now=now, provider_id=provider_id or "")
                    counts["sent"] += 1
        if counts["retrying"] and not counts["sent"]:
            return counts  # the server is down: stop for now, rows wait for their next attempt


def default_channels(config) -> dict[Channel, ChannelSender]:
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
