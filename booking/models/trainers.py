"""Trainers: profiles, availability, leave, session assignments and allocation proposals."""

import enum
from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.courses import CourseType
from booking.models.forces import PoliceForce
from booking.models.sessions import CourseSession
from booking.models.users import User

trainer_course_types = Table(
    "trainer_course_types",
    Base.metadata,
    Column("trainer_id", ForeignKey("trainer_profiles.id"), primary_key=True),
    Column("course_type_id", ForeignKey("course_types.id"), primary_key=True),
)

trainer_forces = Table(
    "trainer_forces",
    Base.metadata,
    Column("trainer_id", ForeignKey("trainer_profiles.id"), primary_key=True),
    Column("force_id", ForeignKey("police_forces.id"), primary_key=True),
)


class TrainerProfile(Base):
    """What a trainer can deliver, where, and how much."""

    __tablename__ = "trainer_profiles"
    __table_args__ = (CheckConstraint("max_sessions_per_week >= 0", name="max_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    covers_online: Mapped[bool] = mapped_column(Boolean, default=False)
    can_lead_women_only: Mapped[bool] = mapped_column(Boolean, default=False)
    max_sessions_per_week: Mapped[int] = mapped_column(Integer, default=4)
    home_force_id: Mapped[int | None] = mapped_column(ForeignKey("police_forces.id"))
    # Secret for the calendar feed URL; replaced when the trainer resets it.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship()
    home_force: Mapped[PoliceForce | None] = relationship()
    course_types: Mapped[list[CourseType]] = relationship(secondary=trainer_course_types)
    forces: Mapped[list[PoliceForce]] = relationship(secondary=trainer_forces)
    weekly_slots: Mapped[list["AvailabilitySlot"]] = relationship(
        back_populates="trainer", cascade="all, delete-orphan", order_by="AvailabilitySlot.weekday"
    )
    unavailability: Mapped[list["Unavailability"]] = relationship(
        back_populates="trainer", cascade="all, delete-orphan", order_by="Unavailability.starts_at"
    )

    @property
    def name(self) -> str:
        return f"{self.user.first_name} {self.user.last_name}".strip()

    def __repr__(self) -> str:
        return f"<TrainerProfile {self.id} user={self.user_id}>"


class AvailabilitySlot(Base):
    """A weekly window (UK local time) in which the trainer can deliver sessions."""

    __tablename__ = "trainer_availability_slots"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("ends > starts", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainer_profiles.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # Monday is 0
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)

    trainer: Mapped[TrainerProfile] = relationship(back_populates="weekly_slots")

    def __repr__(self) -> str:
        return f"<AvailabilitySlot {self.weekday} {self.starts}-{self.ends}>"


class Unavailability(Base):
    """One-off unavailability or leave."""

    __tablename__ = "trainer_unavailability"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainer_profiles.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(120), default="")

    trainer: Mapped[TrainerProfile] = relationship(back_populates="unavailability")

    def __repr__(self) -> str:
        return f"<Unavailability {self.trainer_id} {self.starts_at:%Y-%m-%d}>"


class AssignmentSource(enum.StrEnum):
    MANUAL = "manual"
    AUTO = "auto"


class SessionAssignment(Base):
    """A trainer delivering a session (published: visible to the trainer, counts as staffed)."""

    __tablename__ = "session_assignments"
    __table_args__ = (UniqueConstraint("session_id", "trainer_id", name="one_per_trainer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainer_profiles.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[AssignmentSource] = mapped_column(
        Enum(AssignmentSource, native_enum=False, length=10), default=AssignmentSource.MANUAL
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[CourseSession] = relationship()
    trainer: Mapped[TrainerProfile] = relationship()

    def __repr__(self) -> str:
        return f"<SessionAssignment s={self.session_id} t={self.trainer_id}>"


class RunStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for the worker
    RUNNING = "running"  # the worker is solving it
    FAILED = "failed"  # the worker could not finish it; the reason is in ``progress``
    PROPOSED = "proposed"
    PUBLISHED = "published"
    DISCARDED = "discarded"


class AllocationRun(Base):
    """One run of the allocator over a date range: a proposal until someone publishes it."""

    __tablename__ = "allocation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    date_from: Mapped[datetime] = mapped_column(UTCDateTime)
    date_to: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, native_enum=False, length=20), default=RunStatus.PROPOSED
    )
    solver_status: Mapped[str] = mapped_column(String(40), default="")
    solve_seconds: Mapped[int] = mapped_column(Integer, default=0)  # milliseconds
    sessions_considered: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What the worker is doing now (or why it failed), shown on the run's page while it waits.
    progress: Mapped[str] = mapped_column(String(300), default="")

    proposals: Mapped[list["ProposedAssignment"]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )
    unstaffed: Mapped[list["UnstaffedSession"]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<AllocationRun {self.id} {self.status}>"


class ProposedAssignment(Base):
    __tablename__ = "proposed_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("allocation_runs.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainer_profiles.id"))
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)

    run: Mapped[AllocationRun] = relationship(back_populates="proposals")
    session: Mapped[CourseSession] = relationship()
    trainer: Mapped[TrainerProfile] = relationship()

    def __repr__(self) -> str:
        return f"<ProposedAssignment run={self.run_id} s={self.session_id} t={self.trainer_id}>"


class UnstaffedSession(Base):
    __tablename__ = "unstaffed_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("allocation_runs.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"))
    reason: Mapped[str] = mapped_column(Text, default="")

    run: Mapped[AllocationRun] = relationship(back_populates="unstaffed")
    session: Mapped[CourseSession] = relationship()

    def __repr__(self) -> str:
        return f"<UnstaffedSession run={self.run_id} s={self.session_id}>"


class AttendanceStatus(enum.StrEnum):
    ATTENDED = "attended"
    LEFT_EARLY = "left_early"
    DID_NOT_ATTEND = "did_not_attend"


class AttendanceRecord(Base):
    """What the trainer marked for one booking."""

    __tablename__ = "attendance_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    status: Mapped[AttendanceStatus] = mapped_column(
        Enum(AttendanceStatus, native_enum=False, length=20)
    )
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AttendanceRecord booking={self.booking_id} {self.status}>"
