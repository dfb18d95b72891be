"""Proof that personal data was removed on time: one row per retention run, one per record."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from booking.models.base import Base, UTCDateTime, utcnow


class RetentionRun(Base):
    """One pass of the retention policy (scheduled, from the command line, or an erasure)."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # "schedule", "command" or "erasure": how the run was started.
    trigger: Mapped[str] = mapped_column(String(20))
    # How many records of each kind were anonymised, e.g. {"offence_data": 3}.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # The periods in force for this run, in months, so old proof still reads correctly.
    policy: Mapped[dict] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    is_erasure: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __repr__(self) -> str:
        return f"<RetentionRun {self.id} {self.trigger} {self.total}>"


class AnonymisedRecord(Base):
    """A record whose personal fields of one kind were removed, and by which run.

    The unique pair makes a second run skip what was already done, so it changes nothing.
    """

    __tablename__ = "anonymised_records"
    __table_args__ = (
        UniqueConstraint("kind", "entity_id", name="uq_anonymised_records_kind_entity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("retention_runs.id"), index=True)
    anonymised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AnonymisedRecord {self.kind}:{self.entity_id}>"
