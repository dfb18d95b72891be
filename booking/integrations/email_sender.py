"""Deliver the outbox: claim pending messages, send each once, retry failures with backoff.

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
from booking.models import Channel, Notification, NotificationStatus

BASE_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 6 * 60 * 60
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
    """A way of reaching a person. Email is the only one today; text would be another."""

    def send(self, notification: Notification) -> None: ...


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

    def send(self, notification: Notification) -> None:
        settings = self.settings
        with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(self.build(notification))


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 ... capped at 6 hours: retried for ever, never dropped."""
    return timedelta(
        seconds=min(BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    )


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
    """Send every message due at ``now``. Returns counts of sent and failed (to retry)."""
    counts = {"sent": 0, "retrying": 0}
    while True:
        ids = _claim(now, BATCH_SIZE)
        if not ids:
            return counts
        for notification_id in ids:
            notification = db.session.get(Notification, notification_id)
            error = ""
            try:
                channels[notification.channel].send(notification)
            except Exception as problem:  # any failure: keep the message and retry later
                error = f"{type(problem).__name__}: {problem}"[:500]
            with unit_of_work():
                notification = db.session.get(Notification, notification_id)
                notification.attempts += 1
                if error:
                    notification.status = NotificationStatus.PENDING
                    notification.last_error = error
                    notification.next_attempt_at = now + backoff(notification.attempts)
                    counts["retrying"] += 1
                else:
                    notification.status = NotificationStatus.SENT
                    notification.sent_at = now
                    notification.last_error = ""
                    counts["sent"] += 1
        if counts["retrying"] and not counts["sent"]:
            return counts  # the server is down: stop for now, rows wait for their next attempt


def default_channels(config) -> dict[Channel, ChannelSender]:
    return {Channel.EMAIL: EmailSender(MailSettings.from_config(config))}
