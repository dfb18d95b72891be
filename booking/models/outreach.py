"""The contact plan: each step taken (or planned) to reach a referred person before they book."""

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.notifications import Notification
from booking.models.referrals import Referral


class StepStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    # Not taken: the person booked, withdrew, or the referral ended first.
    STOPPED = "stopped"


class ContactStep(Base):
    """One step of a referral's contact plan: the first contact, a later text, call or letter,
    or a call the day before a session. A step done links the outbox row it queued."""

    __tablename__ = "contact_steps"
    __table_args__ = (
        UniqueConstraint("referral_id", "number", name="uq_contact_steps_referral_number"),
        Index("ix_contact_steps_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    # 1 is the first contact; the plan's later steps follow in order.
    number: Mapped[int] = mapped_column(Integer)
    # What the plan asked for: "first", "text", "call", "letter" or "day_before".
    way: Mapped[str] = mapped_column(String(20))
    status: Mapped[StepStatus] = mapped_column(
        Enum(StepStatus, native_enum=False, length=20), default=StepStatus.PLANNED
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The channel the step used (the person's safe one, which may differ from ``way``).
    channel: Mapped[str] = mapped_column(String(20), default="", server_default="")
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id"), nullable=True, index=True
    )
    # Why a step went another way or was stopped, in plain words for staff.
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship()
    notification: Mapped[Notification | None] = relationship()

    def __repr__(self) -> str:
        return f"<ContactStep {self.id} {self.way} {self.status}>"
