"""Money paid for bookings: payments (card or offline), refunds, and Stripe events seen once."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.bookings import Booking


class PaymentMethod(enum.StrEnum):
    CARD = "card"
    PHONE = "phone"
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # a Checkout Session is open
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # declined, expired or abandoned
    NEEDS_REVIEW = "needs_review"  # paid, but the amount did not match: staff must look


class RefundStatus(enum.StrEnum):
    REQUESTED = "requested"  # written in the transaction that decided it; not yet sent
    SUCCEEDED = "succeeded"  # Stripe accepted it, or staff gave offline money back
    FAILED = "failed"  # Stripe refused or could not be reached: staff retry


class Payment(Base):
    """One attempt to pay a booking's fee, online or recorded by staff."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint(
            "refunded_pence >= 0 AND refunded_pence <= amount_pence", name="refund_within_amount"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    refunded_pence: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[PaymentMethod] = mapped_column(Enum(PaymentMethod, native_enum=False, length=20))
    status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, native_enum=False, length=20), default=PaymentStatus.PENDING
    )
    reference: Mapped[str] = mapped_column(String(120), default="")
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(
        String(255), unique=True, nullable=True
    )
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(
        String(255), nullable=True, index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    booking: Mapped[Booking] = relationship()
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def refundable_pence(self) -> int:
        if self.status != PaymentStatus.SUCCEEDED:
            return 0
        return self.amount_pence - self.refunded_pence

    def __repr__(self) -> str:
        return f"<Payment {self.id} {self.method} {self.amount_pence}p {self.status}>"


class Refund(Base):
    """Money given back against one payment; the payment's refunded_pence is the running total.

    A card refund is a row first (requested), sent to Stripe after the commit, then marked
    succeeded or failed. Requested and failed refunds still count in refunded_pence: the money
    is owed back, so nobody can refund it a second time.
    """

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    status: Mapped[RefundStatus] = mapped_column(
        Enum(RefundStatus, native_enum=False, length=20),
        default=RefundStatus.SUCCEEDED,
        server_default=RefundStatus.SUCCEEDED.name,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failure: Mapped[str] = mapped_column(String(300), default="", server_default="")
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    payment: Mapped[Payment] = relationship(back_populates="refunds")

    def __repr__(self) -> str:
        return f"<Refund {self.id} {self.amount_pence}p of payment {self.payment_id} {self.status}>"


class StripeEvent(Base):
    """A Stripe webhook event already handled; the unique id makes repeat deliveries harmless."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<StripeEvent {self.event_id} {self.type}>"
