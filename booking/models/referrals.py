"""Referrals from police forces, and waiting-list places on full sessions."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.courses import CourseType
from booking.models.forces import PoliceForce, Scheme
from booking.models.sessions import CourseSession
from booking.models.users import User


class ReferralStatus(enum.StrEnum):
    OPEN = "open"
    BOOKED = "booked"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
    WITHDRAWN = "withdrawn"


class Referral(Base):
    """A force's referral of one person to a course, with a deadline to complete it.

    Sensitive: the police reference and disposal are shown to staff only.
    """

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("force_id", "police_reference", name="uq_referrals_force_reference"),
        # A force's system retrying a create with the same key gets the same referral back.
        UniqueConstraint("force_id", "idempotency_key", name="uq_referrals_force_idempotency"),
        Index("ix_referrals_force_updated", "force_id", "updated_at", "id"),
        Index("ix_referrals_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("schemes.id"), nullable=True)
    course_type_id: Mapped[int] = mapped_column(ForeignKey("course_types.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    police_reference: Mapped[str] = mapped_column(String(40), index=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date] = mapped_column(Date)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    disposal_type: Mapped[str] = mapped_column(String(60), default="")
    referral_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[ReferralStatus] = mapped_column(
        Enum(ReferralStatus, native_enum=False, length=20), default=ReferralStatus.OPEN
    )
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every change, so a force can ask for "what changed since my last look".
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # An extension is the force's decision: the first deadline, who agreed and on which day.
    original_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    extension_agreed_by: Mapped[str] = mapped_column(String(120), default="")
    extension_agreed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The last deadline reminder sent (days before: 14, 7 or 3), so each goes once.
    deadline_reminder_days: Mapped[int | None] = mapped_column(Integer, nullable=True)

    force: Mapped[PoliceForce] = relationship()
    scheme: Mapped[Scheme | None] = relationship()
    course_type: Mapped[CourseType] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.status}>"


class WaitingStatus(enum.StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    CLAIMED = "claimed"
    EXPIRED = "expired"
    LEFT = "left"


class WaitingListEntry(Base):
    """A person waiting for a place on a full session; an open offer holds a seat for them."""

    __tablename__ = "waiting_list_entries"
    __table_args__ = (
        Index("ix_waiting_list_entries_session_id_status", "session_id", "status"),
        # A person waits at most once per session while their entry is live.
        Index(
            "uq_waiting_list_entries_one_live_per_person",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('WAITING', 'OFFERED')"),
            postgresql_where=text("status IN ('WAITING', 'OFFERED')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), nullable=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[WaitingStatus] = mapped_column(
        Enum(WaitingStatus, native_enum=False, length=20), default=WaitingStatus.WAITING
    )
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)

    session: Mapped[CourseSession] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<WaitingListEntry {self.id} {self.status}>"
