import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.users import User


class Channel(enum.StrEnum):
    EMAIL = "email"
    TEXT = "text"
    LETTER = "letter"
    # A task on the staff "calls to make" list: never sent by a machine.
    CALL = "call"


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    # Accepted by the provider (or handed to staff, for a call); a receipt may follow.
    SENT = "sent"
    DELIVERED = "delivered"
    # Permanently failed: the next safe channel, or a call task, follows it.
    FAILED = "failed"
    # Not sent because the person has no safe channel for it; staff can resend it.
    WITHHELD = "withheld"


class Notification(Base):
    """The outbox: a message written in the same transaction as the change it reports.

    A sender delivers pending rows after the commit, so a message is never sent for a change
    that was rolled back, and never lost when the mail server is down. One row per channel a
    message goes to; a call row is a task for staff rather than something a machine sends.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=20))
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[NotificationStatus] = mapped_column(
        Enum(NotificationStatus, native_enum=False, length=20), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # A calendar file sent as an attachment, and when a sender claimed the row.
    ics_attachment: Mapped[str] = mapped_column(Text, default="", server_default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The wording for every channel (JSON), so a failed or withheld message can move to another
    # safe channel later without the facts it was built from.
    wordings: Mapped[str] = mapped_column(Text, default="", server_default="")
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id"), nullable=True, index=True
    )
    # The provider's id for the message (GOV.UK Notify), which its delivery receipts quote.
    provider_id: Mapped[str] = mapped_column(String(100), default="", server_default="", index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The row that took over after this one failed or was withheld (another channel).
    followed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id"), nullable=True
    )
    # For a call: what happened last time staff tried ("spoke", "no_answer", "wrong_number").
    call_outcome: Mapped[str] = mapped_column(String(20), default="", server_default="")

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} {self.channel} {self.status}>"


class TextReply(Base):
    """A text a person sent back (Notify's received-text callback), matched to their booking."""

    __tablename__ = "text_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(100), unique=True)
    from_number: Mapped[str] = mapped_column(String(30))
    content: Mapped[str] = mapped_column(String(500))
    # "coming", "change" or "" when the reply was not a 1 or a 2.
    meaning: Mapped[str] = mapped_column(String(20), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id"), nullable=True, index=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<TextReply {self.id} {self.meaning}>"
