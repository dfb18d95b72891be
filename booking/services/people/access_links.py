"""Magic links: a signed, time-limited link that signs a person in without a password.

Sent only by a safe channel (email only when the person said email is safe, rule 6). The link
names the account and is signed with the app's secret; it is not stored.
"""

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from booking.extensions import db
from booking.models import Role, User
from booking.services import audit
from booking.services.notify import channels as contact
from booking.services.notify import messages

SALT = "access-link"
DEFAULT_MAX_AGE_SECONDS = 7 * 24 * 60 * 60


def token_for(person: User, *, secret_key: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"id": person.id})


def person_for_token(token: str, *, secret_key: str, max_age: int) -> User | None:
    """The attendee a valid, unexpired link names, or None."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    person = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if person is None or person.role != Role.ATTENDEE or not person.is_active:
        return None
    return person


def send_link(person: User, *, secret_key: str, link_for, now: datetime) -> bool:
    """Queue a magic link by email if email is safe for the person. Returns whether it was
    queued; nothing is sent on an unsafe channel."""
    if not contact.email_is_safe(person) or person.email.endswith(".invalid"):
        return False
    messages.access_link(person, link=link_for(token_for(person, secret_key=secret_key)), now=now)
    audit.record("user.access_link_sent", "user", person.id, actor=person, now=now)
    return True
