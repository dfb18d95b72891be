import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.sessions import CourseSession
from booking.models.users import User


class BookingStatus(enum.StrEnum):
    HELD = "held"
    AWAITING_PAYMENT = "awaiting_payment"
    AWAITING_WAIVER = "awaiting_waiver"
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# States that hold a seat whatever the time.
SEAT_STATES = (
    BookingStatus.AWAITING_WAIVER,
    BookingStatus.CONFIRMED,
    BookingStatus.ATTENDED,
    BookingStatus.NO_SHOW,
)
# States that hold a seat only until hold_expires_at.
EXPIRING_STATES = (BookingStatus.HELD, BookingStatus.AWAITING_PAYMENT)
ACTIVE_STATES = EXPIRING_STATES + SEAT_STATES
_ACTIVE_SQL = ", ".join(f"'{state.name}'" for state in ACTIVE_STATES)
# A referral's live booking: a missed session (no-show) is over, and the person may book again.
REFERRAL_LIVE_STATES = tuple(s for s in ACTIVE_STATES if s != BookingStatus.NO_SHOW)
_REFERRAL_LIVE_SQL = ", ".join(f"'{state.name}'" for state in REFERRAL_LIVE_STATES)


class Booking(Base):
    """A person's seat on a session; see services/bookings.py for its state machine."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("fee_pence >= 0", name="fee_not_negative"),
        # One active booking per person per session, enforced by the database itself.
        Index(
            "uq_bookings_one_active_per_person",
            "user_id",
            "session_id",
            unique=True,
            sqlite_where=text(f"status IN ({_ACTIVE_SQL})"),
            postgresql_where=text(f"status IN ({_ACTIVE_SQL})"),
        ),
        Index("ix_bookings_session_id_status", "session_id", "status"),
        # One active booking per referral, enforced by the database.
        Index(
            "uq_bookings_one_active_per_referral",
            "referral_id",
            unique=True,
            sqlite_where=text(f"status IN ({_REFERRAL_LIVE_SQL}) AND referral_id IS NOT NULL"),
            postgresql_where=text(f"status IN ({_REFERRAL_LIVE_SQL}) AND referral_id IS NOT NULL"),
        ),
        Index("ix_bookings_status_hold_expires_at", "status", "hold_expires_at"),
        # The staff dashboard counts the bookings made in recent weeks.
        Index("ix_bookings_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, native_enum=False, length=20), default=BookingStatus.HELD
    )
    fee_pence: Mapped[int] = mapped_column(Integer, default=0)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Whether a held seat's time was ever extended, and how many times (WCAG 2.2.1: up to ten).
    hold_extended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hold_extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    # Referrals and rescheduling: the referral this seat serves, and the booking it
    # replaced when the person moved to another session.
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id"), nullable=True, index=True
    )
    rescheduled_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id"), nullable=True
    )
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    session: Mapped[CourseSession] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATES

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.status}>"
