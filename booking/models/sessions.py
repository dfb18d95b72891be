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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.courses import CourseType, Venue
from booking.models.forces import PoliceForce


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DELIVERED = "delivered"


class SessionSeries(Base):
    """A weekly repeating series of sessions, created together by an admin."""

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SessionSeries {self.id}>"


class CourseSession(Base):
    """One sitting of a course type, in a venue or online.

    ``force_id`` is the police-force area the session serves; online sessions serve every area
    and leave it empty.
    """

    __tablename__ = "course_sessions"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_course_sessions_status_starts_at", "status", "starts_at"),
        Index("ix_course_sessions_force_id_starts_at", "force_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_type_id: Mapped[int] = mapped_column(ForeignKey("course_types.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), index=True)
    force_id: Mapped[int | None] = mapped_column(ForeignKey("police_forces.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("session_series.id"), index=True)
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_join_url: Mapped[str] = mapped_column(String(400), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    women_only: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[SessionStatus] = mapped_column(
        Enum(SessionStatus, native_enum=False, length=20), default=SessionStatus.SCHEDULED
    )
    notes: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course_type: Mapped[CourseType] = relationship()
    venue: Mapped[Venue | None] = relationship()
    force: Mapped[PoliceForce | None] = relationship()
    series: Mapped[SessionSeries | None] = relationship()

    def __repr__(self) -> str:
        return f"<CourseSession {self.id} {self.starts_at:%Y-%m-%d %H:%M}>"
