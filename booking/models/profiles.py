from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.users import User


class AttendeeProfile(Base):
    """What a person has told us they need, and how it is safe to contact them.

    Sensitive: shown only to those who need it. Every contact channel is
    off until the person says it is safe.
    """

    __tablename__ = "attendee_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    preferred_name: Mapped[str] = mapped_column(String(80), default="")
    # None: not asked yet; False: no preference; True: would prefer a women-only group.
    prefers_women_only: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    needs_step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_bsl_interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    needs_childcare: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_travel_help: Mapped[bool] = mapped_column(Boolean, default=False)
    other_needs: Mapped[str] = mapped_column(String(500), default="")
    email_is_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_is_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    text_is_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    voicemail_is_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    post_is_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_number: Mapped[str] = mapped_column(String(30), default="")
    best_times: Mapped[str] = mapped_column(String(200), default="")
    # The safe channels in the person's order of preference, e.g. "text,letter" (empty: the
    # usual order, text, email, letter, call). Only channels marked safe above are ever used.
    contact_order: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # Texts and calls only between these hours (UK time); 9am to 8pm unless the person says.
    safe_from_hour: Mapped[int] = mapped_column(Integer, default=9, server_default="9")
    safe_until_hour: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    postal_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The address a guest typed when another account already has it: users.email is unique, so
    # the guest's own is a placeholder, and email about the guest's bookings comes here instead.
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AttendeeProfile user={self.user_id}>"
