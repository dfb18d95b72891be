"""Booking without a password: a guest gives a name and a way to reach them, and gets a place.

Behind the scenes a guest is an attendee account with a password nobody knows (as a referral
look-up makes), so every rule, page and message that works for an account works for a guest.
The person keeps access through the booking reference and a sign-in link sent on a safe
channel, and may choose a password afterwards.

An email address that already belongs to an account is not reused and not reported to whoever
typed it (that would tell anyone who has an account here): the guest's own account gets an
address that can never receive mail, and the address typed is kept on the guest's profile, so
the confirmation and every later message about the booking still go where the person asked,
and the page they see is the same. The owner of the address is also told, in neutral words,
why messages about a booking not on their account will arrive.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from booking.extensions import db
from booking.models import AttendeeProfile, Role, User
from booking.services import audit
from booking.services.notify import channels as contact
from booking.services.notify import messages
from booking.services.people import accounts, preferences

# A guest without an address of their own gets one here: it can never receive mail.
PLACEHOLDER_DOMAIN = "@no-email.invalid"


@dataclass
class GuestDetails:
    """What the "your details" page asks: a name, a way to reach the person, and (optionally)
    their answers about needs and safe contact."""

    first_name: str
    email: str
    answers: preferences.Answers


def create_guest(details: GuestDetails, *, now: datetime) -> User:
    """A new attendee account for someone booking without a password, with their answers saved.

    Never attaches anything to an existing account: that needs its owner to sign in. Raises
    PreferencesError "phone_number_needed" (from preferences.save).
    """
    typed = accounts.normalise_email(details.email)
    owner = accounts.find_by_email(typed) if typed else None
    person = User(
        email=typed if typed and owner is None else _placeholder_email(),
        role=Role.ATTENDEE,
        first_name=details.first_name.strip(),
        last_name="",
        created_at=now,
    )
    person.set_unusable_password()
    db.session.add(person)
    db.session.flush()
    db.session.add(
        AttendeeProfile(
            user_id=person.id,
            contact_email=typed if owner is not None else None,
            updated_at=now,
        )
    )
    db.session.flush()
    audit.record("user.guest_created", "user", person.id, actor=person, now=now)
    if owner is not None:
        messages.account_exists(owner, now=now, booked_as_guest=True)
        audit.record(
            "user.address_in_use_attempt", "user", owner.id, actor=None, now=now, guest=person.id
        )
    preferences.save(person, details.answers, now=now)
    return person


def _placeholder_email() -> str:
    return f"guest-{secrets.token_hex(8)}{PLACEHOLDER_DOMAIN}"


def can_be_emailed(person: User) -> bool:
    """Whether the person has a real address to send things to (a guest may have none)."""
    return bool(contact.email_address(person))
