import enum

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base
from booking.models.forces import PoliceForce


class Delivery(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class CourseType(Base):
    """Drug awareness, alcohol awareness, family and carers support, peer support..."""

    __tablename__ = "course_types"
    __table_args__ = (
        CheckConstraint("default_fee_pence >= 0", name="fee_not_negative"),
        CheckConstraint("default_capacity > 0", name="capacity_positive"),
        CheckConstraint("trainers_needed IN (1, 2)", name="one_or_two_trainers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=180)
    delivery: Mapped[Delivery] = mapped_column(
        Enum(Delivery, native_enum=False, length=20), default=Delivery.IN_PERSON
    )
    default_capacity: Mapped[int] = mapped_column(Integer, default=12)
    referral_required: Mapped[bool] = mapped_column(Boolean, default=False)
    trainers_needed: Mapped[int] = mapped_column(Integer, default=1)
    default_fee_pence: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<CourseType {self.slug}>"


class Venue(Base):
    """A place where in-person sessions happen, with the accessibility facts people ask about."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(400))
    postcode: Mapped[str] = mapped_column(String(10))
    force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible_toilet: Mapped[bool] = mapped_column(Boolean, default=False)
    women_only_room: Mapped[bool] = mapped_column(Boolean, default=False)
    travel_notes: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    force: Mapped[PoliceForce] = relationship()

    def __repr__(self) -> str:
        return f"<Venue {self.id} {self.name!r}>"
