"""Accounts: registration, sign-in checks, password reset by emailed link, changing credentials.

Having an account here can reveal contact with a police diversion course, so nothing on these
paths says whether an email address has an account: registering a taken address and asking to
reset an unknown one answer, and work, the same way as the ordinary case.
"""

import hashlib
from datetime import datetime, timedelta
from functools import cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import exists, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from booking.extensions import db
from booking.models import AttendeeProfile, Booking, EndedSession, Role, User
from booking.services import audit
from booking.services.errors import AccountError
from booking.services.notify import messages
from booking.services.people import preferences

# Wrong passwords an account may have before password sign-in pauses, and the longest pause.
# Each wrong one after that doubles the pause (1 s, 2 s, 4 s ... 15 minutes): guessing from any
# number of addresses slows to nothing, while the person still gets in from a browser they
# signed in on before, or by the one-time link "Forgotten your password?" emails them.
FREE_WRONG_PASSWORDS = 5
LONGEST_SIGN_IN_PAUSE = timedelta(minutes=15)

# Stands in for the account a reset was asked for when there is none, so both paths build and
# sign a token: the same work whether or not the address has an account.
_NOBODY_ID = 0


@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so a wrong address takes as long as a wrong password."""
    return generate_password_hash("no account has this password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


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
) -> User | None:
    """Create an attendee account and return it, or return None if the address is taken.

    A taken address raises nothing the caller could show: its owner is told, by a neutral
    message on a channel they said is safe, that someone tried to register with it. The
    password is hashed on both paths so they cost the same.
    """
    password_hash = generate_password_hash(password)
    existing = find_by_email(email)
    if existing is not None:
        _tell_owner_address_in_use(existing, now=now)
        return None
    person = User(
        email=normalise_email(email),
        role=Role.ATTENDEE,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        created_at=now,
        password_hash=password_hash,
        password_chosen=True,
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=email_is_safe, updated_at=now))
    db.session.flush()
    audit.record("user.registered", "user", person.id, actor=person, now=now)
    return person


def _tell_owner_address_in_use(owner: User, *, now: datetime) -> None:
    """Someone tried to give a new or another account this person's address: tell the owner,
    in neutral words on a channel they said is safe, instead of telling whoever tried."""
    messages.account_exists(owner, now=now)
    audit.record("user.address_in_use_attempt", "user", owner.id, actor=None, now=now)


def sign_in_pause(wrong_passwords: int) -> timedelta:
    """How long password sign-in waits after this many wrong passwords in a row."""
    if wrong_passwords < FREE_WRONG_PASSWORDS:
        return timedelta(0)
    doublings = min(wrong_passwords - FREE_WRONG_PASSWORDS, 20)
    return min(timedelta(seconds=2**doublings), LONGEST_SIGN_IN_PAUSE)


def authenticate(
    email: str, password: str, *, now: datetime, known_device: bool = False
) -> User | None:
    """The user for these credentials, or None. Unknown emails cost as much time as known ones.

    A wrong password counts against the account and, after FREE_WRONG_PASSWORDS, pauses
    password sign-in for a growing time. During a pause even the right password is refused
    (so guessing gains nothing), unless it comes from a browser this account signed in on
    before (``known_device``). The answer is the same refusal either way, so nothing says
    whether an address has an account. The right password outside a pause clears the count.
    Flushes."""
    person = find_by_email(email)
    if person is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not person.check_password(password) or not person.is_active:
        _count_wrong_password(person, now=now)
        return None
    paused_until = person.sign_in_paused_until
    if paused_until is not None and now < paused_until:
        if not known_device:
            audit.record("user.sign_in_paused", "user", person.id, actor=None, now=now)
            return None
        return person  # the pause stays for everyone else while the guessing goes on
    _clear_wrong_passwords(person)
    return person


def _count_wrong_password(person: User, *, now: datetime) -> None:
    # Counted in the database, so every app instance adds to the same count.
    person.failed_sign_ins = User.failed_sign_ins + 1
    db.session.flush()
    db.session.refresh(person, ["failed_sign_ins"])
    pause = sign_in_pause(person.failed_sign_ins)
    if pause:
        person.sign_in_paused_until = now + pause
        db.session.flush()


def _clear_wrong_passwords(person: User) -> None:
    if person.failed_sign_ins or person.sign_in_paused_until is not None:
        person.failed_sign_ins = 0
        person.sign_in_paused_until = None
        db.session.flush()


def user_for_session_id(session_id: str, *, browser_token: str | None = None) -> User | None:
    """The user a session or remember cookie names ("<id>:<version>"), or None when the
    version is stale (signing out, a password change or a reset ends every older session) or
    when this browser's session was ended on the server (``end_browser_session``). One query."""
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdecimal() or not version.isdecimal():
        return None
    query = select(User).where(User.id == int(user_id))
    if browser_token:
        ended = select(EndedSession.token).where(EndedSession.token == _token_digest(browser_token))
        query = query.where(~exists(ended))
    person = db.session.scalars(query).first()
    if person is None or person.session_version != int(version):
        return None
    return person


def _token_digest(browser_token: str) -> str:
    # Only a digest is stored: the table never holds a value that could be put in a cookie.
    return hashlib.sha256(browser_token.encode()).hexdigest()


def end_browser_session(browser_token: str, *, now: datetime) -> None:
    """End one browser's session on the server: the cookie it carried, or any copy of it,
    no longer signs anyone in. The person's other sessions carry on."""
    digest = _token_digest(browser_token)
    if db.session.get(EndedSession, digest) is None:
        db.session.add(EndedSession(token=digest, ended_at=now))
        db.session.flush()


def end_all_sessions(person: User, *, now: datetime) -> None:
    """Sign the person out everywhere: every session and remember cookie stops working."""
    person.end_all_sessions()
    db.session.flush()
    audit.record("user.sessions_ended", "user", person.id, actor=person, now=now)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="password-reset")


def reset_token(person: User, secret_key: str) -> str:
    # The current hash is part of the token, so a used token (or any password change) voids it.
    return _serializer(secret_key).dumps({"id": person.id, "h": person.password_hash[-16:]})


def request_password_reset(email: str, *, secret_key: str, reset_url, now: datetime) -> None:
    """Queue a reset link if the account exists. Says nothing either way, to keep emails private.

    A token and link are built whether or not the account exists, so both paths do the same
    work; only a real account's link is queued. ``reset_url`` turns a token into the link.
    """
    person = find_by_email(email)
    signer = person or User(id=_NOBODY_ID, password_hash=_dummy_hash())
    link = reset_url(reset_token(signer, secret_key))
    # Recorded either way (an unknown address with no account id), so both paths write a row.
    audit.record(
        "user.password_reset_requested", "user", person.id if person else None, actor=None, now=now
    )
    if person is None:
        return
    messages.password_reset(person, link=link, now=now)


def user_for_reset_token(token: str, *, secret_key: str, max_age: int) -> User | None:
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    person = db.session.get(User, data["id"])
    if person is None or person.password_hash[-16:] != data.get("h"):
        return None
    return person


def reset_password(person: User, new_password: str, *, now: datetime) -> None:
    """Set a new password from a reset link and end every session the account had."""
    person.set_password(new_password)
    person.end_all_sessions()
    _clear_wrong_passwords(person)  # the link proved it is them: no pause left
    db.session.flush()
    audit.record("user.password_reset", "user", person.id, actor=person, now=now)


def open_to_reference_sign_in(person: User) -> bool:
    """Whether a referral look-up (reference, surname, date of birth) may sign in to this account.

    Only while the account is untouched: no password chosen, no booking and no answers saved.
    After that the police letter is no longer enough, because whoever holds it could read the
    person's needs and safe-contact answers or change the booking.
    """
    if person.role != Role.ATTENDEE or person.password_chosen or not person.is_active:
        return False
    if db.session.scalar(select(Booking.id).where(Booking.user_id == person.id).limit(1)):
        return False
    return not preferences.has_answered(person)


def change_credentials(
    person: User,
    *,
    email: str,
    new_password: str,
    current_password: str,
    recently_signed_in_by_link: bool,
    email_is_safe: bool,
    now: datetime,
) -> None:
    """Set the person's email address and password, and whether email is safe.

    Once a password has been chosen, changing them needs the current password or a sign-in
    from a link in the last few minutes (the caller says which). The first password on an
    account opened by a look-up needs neither: there is none yet, and look-ups stop signing
    in to the account once it is used. Ends every other session. Raises AccountError
    "current_password_needed".

    An address another account already has is not taken over and not reported to the caller
    (that would tell anyone with an account who else has one here): the email stays as it
    was and the address's owner is told, as when registering.
    """
    if (
        person.password_chosen
        and not recently_signed_in_by_link
        and not person.check_password(current_password or "")
    ):
        raise AccountError("current_password_needed")
    email = normalise_email(email)
    owner = db.session.scalar(
        select(User).where(func.lower(User.email) == email, User.id != person.id)
    )
    if owner is None:
        person.email = email
    else:
        _tell_owner_address_in_use(owner, now=now)
    person.set_password(new_password)
    person.end_all_sessions()
    profile = db.session.scalar(select(AttendeeProfile).where(AttendeeProfile.user_id == person.id))
    if profile is None:
        profile = AttendeeProfile(user_id=person.id)
        db.session.add(profile)
    if owner is None:
        # The account has an address of its own now: a guest's typed address is not needed.
        profile.contact_email = None
    profile.email_is_safe = email_is_safe
    profile.updated_at = now
    db.session.flush()
    audit.record("user.account_set_up", "user", person.id, actor=person, now=now)
