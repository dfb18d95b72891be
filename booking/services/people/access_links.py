"""Magic links: a signed, time-limited link that signs a person in without a password.

Sent only by a safe channel (email only when the person said email is safe, rule 6). The link
names the account, a fingerprint of its password hash and its link generation, and is signed
with the app's secret; it is not stored. Using a link moves the generation on, so each link
works once, and a password change or reset changes the hash, which ends every link. Signing
out does not: a person often asks for a link and then signs out before opening it.
"""

import hashlib
import hmac
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from booking.extensions import db
from booking.models import Booking, Role, User
from booking.services import audit
from booking.services.locks import relock
from booking.services.notify import channels as contact
from booking.services.notify import messages, outbox, wording

SALT = "access-link"
DEFAULT_MAX_AGE_SECONDS = 7 * 24 * 60 * 60
# A sign-in from a link this recent may change the email address and password without the
# current password (the link proved the person can read their safe channel just now).
FRESH_LINK_SECONDS = 10 * 60
# A code sent with the link, typed with the booking reference on another device: it works
# once, in the hour it was sent or the next.
CODE_WINDOW_SECONDS = 60 * 60
CODE_DIGITS = 6


def _fingerprint(person: User) -> str:
    return person.password_hash[-16:]


def token_for(person: User, *, secret_key: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps(
        {
            "id": person.id,
            "h": _fingerprint(person),
            "g": person.access_link_generation or 0,
        }
    )


def person_for_token(token: str, *, secret_key: str, max_age: int) -> User | None:
    """The attendee a valid, unexpired, unused link names, or None."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    person = db.session.get(User, data["id"])
    if person is None or person.role != Role.ATTENDEE or not person.is_active:
        return None
    if _fingerprint(person) != data.get("h") or person.access_link_generation != data.get("g"):
        return None
    return person


def use_link(token: str, *, secret_key: str, max_age: int, now: datetime) -> User | None:
    """Spend a link: the person it names, or None if it is not valid. The link (and any other
    link sent earlier) will not work again. The row is locked so two clicks cannot both win."""
    person = person_for_token(token, secret_key=secret_key, max_age=max_age)
    if person is None:
        return None
    relock(person)
    if person_for_token(token, secret_key=secret_key, max_age=max_age) is None:
        return None
    person.access_link_generation = (person.access_link_generation or 0) + 1
    db.session.flush()
    audit.record("user.access_link_used", "user", person.id, actor=person, now=now)
    return person


def _code_in_window(person: User, *, secret_key: str, window: int) -> str:
    message = (
        f"code:{person.id}:{_fingerprint(person)}:{person.access_link_generation or 0}:{window}"
    )
    digest = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def code_for(person: User, *, secret_key: str, now: datetime) -> str:
    """The code that, with one of the person's booking references, opens their bookings."""
    window = int(now.timestamp()) // CODE_WINDOW_SECONDS
    return _code_in_window(person, secret_key=secret_key, window=window)


def normalise_reference(text: str) -> str:
    return "".join((text or "").split()).upper()[:20]


def person_for_reference(reference: str) -> User | None:
    """The attendee whose booking has this reference, or None."""
    person = db.session.scalar(
        db.select(User)
        .join(Booking, Booking.user_id == User.id)
        .where(Booking.reference == normalise_reference(reference))
    )
    if person is None or person.role != Role.ATTENDEE or not person.is_active:
        return None
    return person


def send_code_for_reference(reference: str, *, secret_key: str, link_for, now: datetime) -> None:
    """Send the link and the code to the safe channel of the person whose booking this is.
    Nothing says whether the reference was right: the page shown is the same either way."""
    person = person_for_reference(reference)
    if person is not None:
        send_link(person, secret_key=secret_key, link_for=link_for, now=now)


def use_code(reference: str, code: str, *, secret_key: str, now: datetime) -> User | None:
    """Spend a code typed with a booking reference: the person, or None. Like a link, it
    works once (it and every earlier link end)."""
    person = person_for_reference(reference)
    typed = "".join((code or "").split())
    if person is None or len(typed) != CODE_DIGITS:
        return None
    relock(person)
    window = int(now.timestamp()) // CODE_WINDOW_SECONDS
    expected = [
        _code_in_window(person, secret_key=secret_key, window=w) for w in (window, window - 1)
    ]
    if not any(hmac.compare_digest(typed, code) for code in expected):
        return None
    person.access_link_generation = (person.access_link_generation or 0) + 1
    db.session.flush()
    audit.record("user.access_code_used", "user", person.id, actor=person, now=now)
    return person


def send_link(person: User, *, secret_key: str, link_for, now: datetime) -> str:
    """Queue a sign-in link on the person's first safe channel that can carry one (email or a
    text message). Returns plain words saying what was sent, or "" when no safe channel can
    carry it (then nothing is sent)."""
    if not any(
        channel in wording.ONLY_BY["access_link"] for channel, _ in contact.safe_channels(person)
    ):
        return ""
    notification = messages.access_link(
        person,
        link=link_for(token_for(person, secret_key=secret_key)),
        code=code_for(person, secret_key=secret_key, now=now),
        now=now,
    )
    audit.record("user.access_link_sent", "user", person.id, actor=person, now=now)
    return outbox.what_was_sent(notification)
