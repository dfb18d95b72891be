"""Reading messages for pages: named queries, so routes never build SQL themselves."""

from sqlalchemy import select

from booking.extensions import db
from booking.models import Notification, NotificationStatus, User
from booking.services.notify.outbox import LIVE


def messages_for(person: User) -> list[Notification]:
    """Everything queued for ``person``, newest first: what was sent, on which channel, and
    what was withheld or failed, so pages can say honestly how we reached them."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == person.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )


def last_sent_about(booking_id: int) -> Notification | None:
    """The latest message about a booking that went (or is going) to the person, if any."""
    return db.session.scalar(
        select(Notification)
        .where(
            Notification.booking_id == booking_id,
            Notification.status.in_([*LIVE, NotificationStatus.DELIVERED]),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(1)
    )
