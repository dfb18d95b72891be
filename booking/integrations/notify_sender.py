"""GOV.UK Notify: texts, letters and (when configured) email, through the official client.

Waypoint writes the words; Notify gets one generic template per channel whose only content is
personalisation (``body``, and for letters the address lines), so wording stays in
templates/messages/. Notify's answers decide what happens next: a 400 (a number or address that
cannot work) never will, so the next safe channel takes over; anything else (a 403 from our own
key or clock, the rate limit, a 5xx, the network) is our side or passing, so it is tried again.
"""

from dataclasses import dataclass

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from booking.models import Channel, Notification
from booking.services.notify.outbox import DEVELOPMENT_PROVIDER_ID

NOTIFY_DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
# Notify accepts up to 7 address lines, the last being the postcode; we keep 6 plus the name.
LETTER_ADDRESS_LINES = 7


class PermanentFailure(Exception):
    """The provider refused the message for a reason retrying cannot fix (a bad number, no
    such template, a revoked key): the next safe channel should take over."""


@dataclass
class NotifySettings:
    api_key: str
    base_url: str = NOTIFY_DEFAULT_BASE_URL
    sms_template_id: str = ""
    letter_template_id: str = ""
    email_template_id: str = ""
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> "NotifySettings | None":
        """None when no API key is configured (development: the outbox page shows messages)."""
        api_key = config.get("NOTIFY_API_KEY") or ""
        if not api_key:
            return None
        return cls(
            api_key=api_key,
            base_url=config.get("NOTIFY_BASE_URL") or NOTIFY_DEFAULT_BASE_URL,
            sms_template_id=config.get("NOTIFY_SMS_TEMPLATE_ID", "") or "",
            letter_template_id=config.get("NOTIFY_LETTER_TEMPLATE_ID", "") or "",
            email_template_id=config.get("NOTIFY_EMAIL_TEMPLATE_ID", "") or "",
        )


def letter_personalisation(notification: Notification) -> dict[str, str]:
    """Notify's address lines (the person's name, then their address, one part a line) and the
    letter's body. The envelope shows only these lines: nothing about the course."""
    parts = [part.strip() for part in notification.to_address.replace("\n", ",").split(",")]
    parts = [part for part in parts if part][:LETTER_ADDRESS_LINES]
    lines = {f"address_line_{number}": part for number, part in enumerate(parts, start=1)}
    lines["body"] = notification.body
    return lines


class NotifySender:
    """Sends one channel's messages through Notify; ``send`` returns Notify's id for them."""

    def __init__(self, settings: NotifySettings, channel: Channel):
        self.settings = settings
        self.channel = channel
        self.client = NotificationsAPIClient(
            settings.api_key, base_url=settings.base_url, timeout=settings.timeout
        )

    def send(self, notification: Notification) -> str:
        reference = f"waypoint-{notification.id}"
        settings = self.settings
        try:
            if self.channel == Channel.TEXT:
                answer = self.client.send_sms_notification(
                    phone_number=notification.to_address,
                    template_id=settings.sms_template_id,
                    personalisation={"body": notification.body},
                    reference=reference,
                )
            elif self.channel == Channel.LETTER:
                answer = self.client.send_letter_notification(
                    template_id=settings.letter_template_id,
                    personalisation=letter_personalisation(notification),
                    reference=reference,
                )
            else:
                answer = self.client.send_email_notification(
                    email_address=notification.to_address,
                    template_id=settings.email_template_id,
                    personalisation={"subject": notification.subject, "body": notification.body},
                    reference=reference,
                )
        except APIError as problem:
            if problem.status_code == 400:
                raise PermanentFailure(f"Notify {problem.status_code}: {problem.message}") from None
            raise
        return str(answer["id"])


class DevelopmentOutbox:
    """No provider configured: the message is only shown on the staff development outbox page."""

    def send(self, notification: Notification) -> str:
        return DEVELOPMENT_PROVIDER_ID
