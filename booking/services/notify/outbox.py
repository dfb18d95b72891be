"""Queue messages in the outbox, in the same transaction as the change they report.

Subject lines and the sender name stay neutral: they never name drugs, alcohol, the
police or the course's subject, because someone else may see the person's inbox.
"""

from datetime import datetime

from booking.extensions import db
from booking.models import Channel, Notification, User
from booking.services import audit
from booking.services.notify import channels as contact

# One subject per kind of message. Never name the course, drugs, alcohol or the police: a
# subject line shows on a locked phone screen and in a shared inbox.
NEUTRAL_SUBJECTS = {
    "password_reset": "Resetting your password",
    "booking_confirmed": "Your booking is confirmed",
    "session_cancelled": "A change to your booking",
    "booking_cancelled": "Your booking has been cancelled",
    "booking_reminder": "A reminder about your booking",
    "booking_rescheduled": "Your booking has been changed",
    "waitlist_offer": "A place is available for you",
    "referral_overdue": "About your booking deadline",
    "waiver_decided": "An update on your request",
    "waiver_decision": "An update on your request",
    "access_link": "Your link to manage your booking",
    "account_exists": "About your account",
    "payment_refunded": "About your payment",
    "referral_rebook": "About your booking",
    "session_changed": "A change to your booking",
    "trainer_session_changed": "A change to your sessions",
    "trainer_released": "A change to your sessions",
    "after_course": "What next, if you would like it",
    "missed_session": "About your booking",
}
# A kind missing from the table still gets a neutral subject rather than none.
FALLBACK_SUBJECT = "A message about your booking"


def queue_email(
    person: User, *, kind: str, body: str, now: datetime, to_address: str | None = None
) -> Notification | None:
    """Add an email for ``person`` to the outbox; the sender delivers it after the commit.

    Returns None, and queues nothing, when the person has not said email is safe;
    an audit event records that the message was withheld so staff can reach them another way.
    """
    if not contact.email_is_safe(person):
        audit.record("notification.withheld", "user", person.id, actor=None, now=now, kind=kind)
        return None
    notification = Notification(
        user_id=person.id,
        channel=Channel.EMAIL,
        to_address=to_address or person.email,
        kind=kind,
        subject=NEUTRAL_SUBJECTS.get(kind, FALLBACK_SUBJECT),
        body=body,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(notification)
    return notification
