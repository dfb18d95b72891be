"""Locks that keep a background job to one run at a time across every worker and app instance."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from booking.models.base import Base, UTCDateTime


class JobLock(Base):
    """One row per job name. Whoever moves ``held_until`` into the future holds the job; a
    crashed holder's lock simply runs out, so no job is blocked for ever."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120), default="")
    held_until: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<JobLock {self.name} until {self.held_until}>"


class WorkerHeartbeat(Base):
    """One row per worker process: when it last said it was alive (its lease loop beats)."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<WorkerHeartbeat {self.name} at {self.beat_at}>"
