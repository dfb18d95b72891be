from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from booking.models.courses import CourseType

scheme_course_types = Table(
    "scheme_course_types",
    Base.metadata,
    Column("scheme_id", ForeignKey("schemes.id", ondelete="CASCADE"), primary_key=True),
    Column("course_type_id", ForeignKey("course_types.id", ondelete="CASCADE"), primary_key=True),
)


class PoliceForce(Base):
    """A territorial police force of England and Wales, keyed by its data.police.uk slug."""

    __tablename__ = "police_forces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(10), default="England")
    is_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where outcomes are POSTed, and the shared secret that signs them ("" means not set up).
    webhook_url: Mapped[str] = mapped_column(String(500), default="")
    webhook_secret: Mapped[str] = mapped_column(String(100), default="")

    schemes: Mapped[list["Scheme"]] = relationship(back_populates="force")

    def __repr__(self) -> str:
        return f"<PoliceForce {self.slug}>"


class Scheme(Base):
    """A force's programme, such as a drug diversion scheme."""

    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    # Comma-separated disposal types, e.g. "community-resolution,conditional-caution".
    disposal_types: Mapped[str] = mapped_column(String(400), default="")
    days_to_complete: Mapped[int] = mapped_column(Integer, default=90)
    # Fee to the attendee in pence; None means "use the course type's fee".
    fee_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    force: Mapped[PoliceForce] = relationship(back_populates="schemes")
    course_types: Mapped[list["CourseType"]] = relationship(secondary=scheme_course_types)

    def __repr__(self) -> str:
        return f"<Scheme {self.id} {self.name!r}>"


class ForceAgreement(Base):
    """One version of a force's data-sharing agreement: which fields it receives, on what
    lawful basis, how long it keeps them, who answers for information governance, and the
    codes and words it records each outcome as. Edits add a new version; the highest is in
    force, and the earlier ones stay as the record of what applied when."""

    __tablename__ = "force_agreements"
    __table_args__ = (UniqueConstraint("force_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # Space-separated names from services/referrals/sharing.FIELDS.
    fields: Mapped[str] = mapped_column(String(1000), default="")
    lawful_basis: Mapped[str] = mapped_column(String(300), default="")
    retention: Mapped[str] = mapped_column(String(300), default="")
    governance_contact: Mapped[str] = mapped_column(String(200), default="")
    # The force's own code and wording for each outcome ("" where it has none).
    completed_code: Mapped[str] = mapped_column(String(40), default="")
    completed_wording: Mapped[str] = mapped_column(String(120), default="")
    not_completed_code: Mapped[str] = mapped_column(String(40), default="")
    not_completed_wording: Mapped[str] = mapped_column(String(120), default="")
    withdrawn_code: Mapped[str] = mapped_column(String(40), default="")
    withdrawn_wording: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    def __repr__(self) -> str:
        return f"<ForceAgreement {self.force_id} v{self.version}>"
