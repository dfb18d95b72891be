"""What a police force's systems use to reach Waypoint (API tokens) and what Waypoint sends back
(signed outcome webhooks, delivered from an outbox after the commit)."""

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.forces import PoliceForce
from booking.models.users import User


class ApiToken(Base):
    """A bearer token for one force's system. Only a hash is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # SHA-256 of the token: tokens are 256 random bits, so a fast hash cannot be brute-forced
    # and a look-up by hash stays one indexed query per call.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so staff can tell tokens apart without seeing them.
    prefix: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    force: Mapped[PoliceForce] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}>"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"  # the force's server answered 2xx
    FAILED = "failed"  # gave up after the last attempt; staff can see why


class ForceWebhookDelivery(Base):
    """One outcome to POST to a force's webhook URL, queued in the transaction that recorded it.

    The body is stored exactly as it will be sent, so every retry carries the same bytes and
    the signature the force checks is over what was decided, not over a later re-rendering.
    """

    __tablename__ = "force_webhook_deliveries"
    __table_args__ = (
        Index("ix_force_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    # None for a test delivery a force contact sends to check their receiver.
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id"), index=True, nullable=True
    )
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=20), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")

    force: Mapped[PoliceForce] = relationship()

    def __repr__(self) -> str:
        return f"<ForceWebhookDelivery {self.id} {self.status}>"
