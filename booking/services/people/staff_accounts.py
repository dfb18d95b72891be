"""Staff accounts: invited by an admin to one role, by a single-use link; deactivated.

An invited account has a password nobody knows until the person opens their link and chooses
one. The link names the account and a fingerprint of its password hash, signed with the app's
secret, so choosing a password (or a second invitation) ends it: it works once. Roles follow
least privilege (models.STAFF_ROLES); an invitation names exactly one.
"""

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import PoliceForce, Role, TrainerProfile, User
from booking.services import audit
from booking.services.errors import AccountError
from booking.services.locks import relock
from booking.services.notify import messages
from booking.services.people.accounts import normalise_email

SALT = "staff-invite"
INVITE_DAYS = 7
INVITE_MAX_AGE_SECONDS = INVITE_DAYS * 24 * 60 * 60
# The roles an admin may invite someone to, and how the invitation names each.
INVITABLE_ROLES = {
    Role.TRAINER: "a trainer",
    Role.SCHEDULER: "a scheduler (sessions, trainers and bookings)",
    Role.FINANCE: "finance (payments, refunds, the fund and help requests)",
    Role.SAFEGUARDING: "the safeguarding lead (needs and person records)",
    Role.ADMIN: "an admin (everything, including accounts)",
    Role.FORCE_CONTACT: "a police force contact (one force's referrals, tokens and webhook)",
}


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def invite_token(person: User, *, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"id": person.id, "h": person.password_hash[-16:]})


def person_for_invite(token: str, *, secret_key: str) -> User | None:
    """The invited account a valid, unexpired, unused link names, or None."""
    try:
        data = _serializer(secret_key).loads(token, max_age=INVITE_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    person = db.session.get(User, data["id"])
    if person is None or person.role not in INVITABLE_ROLES or not person.is_active:
        return None
    if person.password_chosen or person.password_hash[-16:] != data.get("h"):
        return None
    return person


def invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    by: User,
    now: datetime,
    secret_key: str,
    link_for,
    force_id: int | None = None,
) -> User:
    """Open an account for a member of staff or a trainer and email them a link to choose a
    password (staff and trainers give a work address, which is safe to email).

    ``link_for(token)`` builds the link. A force contact is scoped to exactly one force
    (``force_id``); nobody else has one. Raises AccountError "not_a_staff_role",
    "email_in_use", "force_needed".
    """
    if role not in INVITABLE_ROLES:
        raise AccountError("not_a_staff_role")
    if role == Role.FORCE_CONTACT and (
        force_id is None or db.session.get(PoliceForce, force_id) is None
    ):
        raise AccountError("force_needed")
    if role != Role.FORCE_CONTACT:
        force_id = None
    address = normalise_email(email)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == address)):
        raise AccountError("email_in_use")
    person = User(
        email=address,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        created_at=now,
        force_id=force_id,
    )
    person.set_unusable_password()
    db.session.add(person)
    db.session.flush()
    messages.staff_invite(
        person,
        link=link_for(invite_token(person, secret_key=secret_key)),
        role_name=INVITABLE_ROLES[role],
        days=INVITE_DAYS,
        now=now,
    )
    audit.record("account.invited", "user", person.id, actor=by, now=now, role=role.value)
    return person


def accept(token: str, password: str, *, secret_key: str, now: datetime) -> User | None:
    """Choose the first password from an invitation; the link then stops working."""
    person = person_for_invite(token, secret_key=secret_key)
    if person is None:
        return None
    relock(person)
    if person_for_invite(token, secret_key=secret_key) is None:
        return None  # a second click that lost the race
    person.set_password(password)
    person.end_all_sessions()
    db.session.flush()
    audit.record("account.invitation_accepted", "user", person.id, actor=person, now=now)
    return person


def deactivate(account_id: int, *, by: User, why: str, now: datetime) -> User:
    """Stop an account from signing in, and end every session it has open.

    Raises AccountError "account_not_found", "cannot_deactivate_self".
    """
    person = db.session.get(User, account_id, with_for_update=True)
    if person is None or person.role == Role.ATTENDEE:
        raise AccountError("account_not_found")
    if person.id == by.id:
        raise AccountError("cannot_deactivate_self")
    person.is_active_account = False
    person.end_all_sessions()
    # A trainer who cannot sign in is not offered to new sessions either; sessions they already
    # have stay with them until someone reassigns them (the "short of trainers" list shows them).
    profile = db.session.scalar(select(TrainerProfile).where(TrainerProfile.user_id == person.id))
    if profile is not None:
        profile.is_active = False
    db.session.flush()
    audit.record("account.deactivated", "user", person.id, actor=by, now=now, why=why.strip())
    return person


def staff_and_trainers() -> list[User]:
    """Every account that is not an attendee, by role then name (one query)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role != Role.ATTENDEE)
            .order_by(User.role, User.last_name, User.first_name, User.id)
        )
    )
