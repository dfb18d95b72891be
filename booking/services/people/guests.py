"""Booking without a password: a guest gives a name and a way to reach them, and gets a place.

Behind the scenes a guest is an attendee account with a password nobody knows (as a referral
look-up makes), so every rule, page and message that works for an account works for a guest.
The person keeps access through the booking reference and a sign-in link sent on a safe
channel, and may choose a password afterwards.

An email address that already belongs to an account is not reused and not reported to whoever
typed it (that would tell anyone who has an account here): the guest gets an address that can
never receive mail, and the address's owner is told, in neutral words, as when registering.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from booking.extensions import db
from booking.models import AttendeeProfile, Role, User
from booking.services import audit
from booking.services.notify import messages
from booking.services.people import accounts, preferences


@dataclass
class GuestDetails:
    """What the "your details" page asks: a name, a way to reach the person, and (optionally)
    their answers about needs and safe contact."""

    first_name: str
    email: str
    answers: preferences.Answers


def create_guest(details: GuestDetails, *, now: datetime) -> User:
    """A new attendee account for someone booking without a password, with their answers saved.

    Raises PreferencesError "phone_number_needed" (from preferences.save).
    """
    email = accounts.normalise_email(details.email)
    owner = accounts.find_by_email(email) if email else None
    if owner is not None:
        messages.account_exists(owner, now=now)
        audit.record("user.address_in_use_attempt", "user", owner.id, actor=None, now=now)
    if not email or owner is not None:
        email = f"guest-{secrets.token_hex(8)}@no-email.invalid"
    person = User(
        email=email,
        role=Role.ATTENDEE,
        first_name=details.first_name.strip(),
        last_name="",
        created_at=now,
    )
    person.set_unusable_password()
    db.session.add(person)
    db.session.flush()
    db.session.add(AttendeeProfile(user_id=person.id, updated_at=now))
    db.session.flush()
    audit.record("user.guest_created", "user", person.id, actor=person, now=now)
    preferences.save(person, details.answers, now=now)
    return person


def can_be_emailed(person: User) -> bool:
    """Whether the person has a real address to send things to (a guest may have none)."""
    return not person.email.endswith(".invalid")
