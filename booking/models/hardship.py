"""The hardship fund: a budget per financial year, its ledger, and people's waiver requests."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.bookings import Booking
from booking.models.forces import PoliceForce
from booking.models.users import User


class HardshipFund(Base):
    """A fund for one financial year (1 April to 31 March), optionally from a funder or force."""

    __tablename__ = "hardship_funds"
    __table_args__ = (
        CheckConstraint("budget_pence >= 0", name="budget_not_negative"),
        CheckConstraint(
            "per_person_cap_pence IS NULL OR per_person_cap_pence > 0", name="cap_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The calendar year in which the financial year starts: 2026 means 1 Apr 2026 - 31 Mar 2027.
    year_starting: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(160))
    funder: Mapped[str] = mapped_column(String(160), default="")
    force_id: Mapped[int | None] = mapped_column(ForeignKey("police_forces.id"), nullable=True)
    budget_pence: Mapped[int] = mapped_column(Integer)
    per_person_cap_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    force: Mapped[PoliceForce | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.name} {self.year_starting}/{str(self.year_starting + 1)[-2:]}"

    def __repr__(self) -> str:
        return f"<HardshipFund {self.id} {self.label!r}>"


class LedgerKind(enum.StrEnum):
    TOP_UP = "top_up"  # money into the fund, the opening budget included
    AWARD = "award"  # a waiver granted (negative)
    REVERSAL = "reversal"  # an award given back when its booking was cancelled (positive)


class FundLedgerEntry(Base):
    """One signed movement of the fund in pence; the balance is the sum of the entries."""

    __tablename__ = "fund_ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_pence <> 0", name="amount_not_zero"),
        CheckConstraint(
            "(kind = 'AWARD' AND amount_pence < 0) OR (kind <> 'AWARD' AND amount_pence > 0)",
            name="sign_matches_kind",
        ),
        Index("ix_fund_ledger_entries_fund_id_created_at", "fund_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("hardship_funds.id"))
    kind: Mapped[LedgerKind] = mapped_column(Enum(LedgerKind, native_enum=False, length=20))
    amount_pence: Mapped[int] = mapped_column(Integer)
    waiver_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("waiver_requests.id"), nullable=True, index=True
    )
    # The force area of the session the money helped with, for reports back to each force.
    force_id: Mapped[int | None] = mapped_column(ForeignKey("police_forces.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fund: Mapped[HardshipFund] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FundLedgerEntry {self.id} {self.kind} {self.amount_pence}p>"


class WaiverStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the booking ended, or was paid another way, before a decision


class WaiverReason(enum.StrEnum):
    LOW_INCOME = "low_income"
    BENEFITS = "benefits"
    DEBT = "debt"
    CARING = "caring"
    OTHER = "other"


WAIVER_REASON_LABELS = {
    WaiverReason.LOW_INCOME: "Money is tight at the moment",
    WaiverReason.BENEFITS: "I receive benefits",
    WaiverReason.DEBT: "I am paying off debts",
    WaiverReason.CARING: "Caring for someone takes my money or time",
    WaiverReason.OTHER: "Something else",
}


class WaiverRequest(Base):
    """A person asks the hardship fund to pay some or all of a booking's fee."""

    __tablename__ = "waiver_requests"
    __table_args__ = (
        CheckConstraint("fee_pence > 0", name="fee_positive"),
        CheckConstraint(
            "approved_pence IS NULL OR (approved_pence > 0 AND approved_pence <= fee_pence)",
            name="approved_within_fee",
        ),
        CheckConstraint(
            "asked_pence IS NULL OR (asked_pence > 0 AND asked_pence <= fee_pence)",
            name="asked_within_fee",
        ),
        Index("ix_waiver_requests_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[WaiverStatus] = mapped_column(
        Enum(WaiverStatus, native_enum=False, length=20), default=WaiverStatus.PENDING
    )
    reason_category: Mapped[WaiverReason] = mapped_column(
        Enum(WaiverReason, native_enum=False, length=20)
    )
    note: Mapped[str] = mapped_column(Text, default="")
    fee_pence: Mapped[int] = mapped_column(Integer)
    # What the person asked the fund for; empty means the whole fee (fee_pence).
    asked_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("hardship_funds.id"), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    override_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def asked_for_pence(self) -> int:
        """How much help was asked for: part of the fee, or all of it."""
        return self.asked_pence or self.fee_pence

    booking: Mapped[Booking] = relationship()
    person: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def reason_label(self) -> str:
        return WAIVER_REASON_LABELS[self.reason_category]

    def __repr__(self) -> str:
        return f"<WaiverRequest {self.id} {self.status}>"
