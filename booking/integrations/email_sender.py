"""Email over SMTP: one message, sent to the mail server the settings name.

The outbox's delivery loop (booking/jobs/notifications.py) decides what to send and when, and
records the result; this module only talks to the mail server.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from booking.models import Notification


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
