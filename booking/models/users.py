import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from booking.models.base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a signed-in account may do. Staff roles are split for least privilege."""

    ATTENDEE = "attendee"
    TRAINER = "trainer"
    # Staff: admin can do everything; the others see only what their work needs.
    ADMIN = "admin"
    SCHEDULER = "scheduler"  # sessions, series, trainers and bookings
    FINANCE = "finance"  # payments, refunds, the fund and help requests, never needs
    SAFEGUARDING = "safeguarding"  # needs, person records and the access log
    # A police force's own staff, who see only their force's referrals and outcomes.
    FORCE_CONTACT = "force_contact"


# Everyone who works for the charity and may open staff pages at all.
STAFF_ROLES = frozenset({Role.ADMIN, Role.SCHEDULER, Role.FINANCE, Role.SAFEGUARDING})


class User(UserMixin, Base):
    """Anyone who signs in: attendees, trainers and the charity's staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), default="")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the signed-in identity: bumping it (sign-out, a password change or reset) ends
    # every session and remember cookie that carries the old number.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Part of every sign-in link: using one link bumps it, so each link works once.
    access_link_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # False while the account has only the unguessable password given to it by a look-up.
    password_chosen: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Wrong passwords since the last right one, and until when a password alone is paused:
    # each wrong one doubles the pause, so a guesser slows down while the person can still
    # get in from a browser they signed in on before, or by an emailed link.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sign_in_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set only for force contacts: the one force whose referrals they may see.
    force_id: Mapped[int | None] = mapped_column(
        ForeignKey("police_forces.id"), nullable=True, index=True
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def get_id(self) -> str:
        """The signed-in identity: the id and the session version, so old sessions stop working."""
        return f"{self.id}:{self.session_version}"

    def end_all_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.password_chosen = True

    def set_unusable_password(self) -> None:
        """A password nobody knows, for an account opened by a referral look-up."""
        self.password_hash = generate_password_hash(secrets.token_urlsafe(32))
        self.password_chosen = False

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_trainer(self) -> bool:
        return self.role == Role.TRAINER

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class EndedSession(Base):
    """A browser session ended on the server ("Exit this page"): a copy of its cookie taken
    before no longer signs anyone in. Kept as long as a session can live, then deleted."""

    __tablename__ = "ended_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<EndedSession at {self.ended_at}>"
