"""Accounts: registration, sign-in checks and password reset by emailed link."""

from datetime import datetime
from functools import cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from booking.extensions import db
from booking.models import AttendeeProfile, Role, User
from booking.services import audit
from booking.services.errors import AccountError
from booking.services.notify import messages


@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so a wrong address takes as long as a wrong password."""
    return generate_password_hash("no account has this password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_attendee(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    email_is_safe: bool,
    now: datetime,
) -> User:
    """Create an attendee account. Raises AccountError("email_taken")."""
    if find_by_email(email) is not None:
        raise AccountError("email_taken")
    person = User(
        email=normalise_email(email),
        role=Role.ATTENDEE,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        created_at=now,
    )
    person.set_password(password)
    db.session.add(person)
    db.session.flush()
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=email_is_safe, updated_at=now))
    audit.record("user.registered", "user", person.id, actor=person, now=now)
    return person


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Unknown emails cost as much time as known ones."""
    person = find_by_email(email)
    if person is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not person.check_password(password) or not person.is_active:
        return None
    return person


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="password-reset")


def reset_token(person: User, secret_key: str) -> str:
    # The current hash is part of the token, so a used token (or any password change) voids it.
    return _serializer(secret_key).dumps({"id": person.id, "h": person.password_hash[-16:]})


def request_password_reset(email: str, *, secret_key: str, reset_url, now: datetime) -> None:
    """Queue a reset link if the account exists. Says nothing either way, to keep emails private.

    ``reset_url`` turns a token into the link to send.
    """
    person = find_by_email(email)
    if person is None:
        return
    link = reset_url(reset_token(person, secret_key))
    messages.password_reset(person, link=link, now=now)
    audit.record("user.password_reset_requested", "user", person.id, actor=None, now=now)


def user_for_reset_token(token: str, *, secret_key: str, max_age: int) -> User | None:
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    person = db.session.get(User, data.get("id"))
    if person is None or person.password_hash[-16:] != data.get("h"):
        return None
    return person


def reset_password(person: User, new_password: str, *, now: datetime) -> None:
    person.set_password(new_password)
    audit.record("user.password_reset", "user", person.id, actor=person, now=now)
