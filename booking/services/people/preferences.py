"""A person's preferences: asked once, kindly, and editable; seen only by those who need them.

What a person tells us about their needs and safe contact is sensitive. It lives in
AttendeeProfile; ``prefers_women_only`` is None until the person has
answered, which is how the booking journey knows to ask (once) and never again.
"""

from dataclasses import dataclass, fields
from datetime import datetime

from booking.extensions import db
from booking.models import AttendeeProfile, Role, User
from booking.services import audit
from booking.services.errors import PreferencesError
from booking.services.notify import channels as contact


@dataclass
class Answers:
    """Everything the preferences page asks, as plain values."""

    prefers_women_only: bool = False
    preferred_name: str = ""
    needs_step_free: bool = False
    needs_hearing_loop: bool = False
    needs_large_print: bool = False
    needs_bsl_interpreter: bool = False
    interpreter_language: str = ""
    needs_childcare: bool = False
    needs_travel_help: bool = False
    other_needs: str = ""
    email_is_safe: bool = False
    phone_is_safe: bool = False
    text_is_safe: bool = False
    voicemail_is_safe: bool = False
    post_is_safe: bool = False
    phone_number: str = ""
    best_times: str = ""
    # Which safe way to try first ("" for the usual order: text, email, letter, call), the hours
    # a text or a call is safe (UK time), and where a letter may go.
    contact_order: str = ""
    safe_from_hour: int = 9
    safe_until_hour: int = 20
    postal_address: str = ""

    @classmethod
    def from_profile(cls, profile: AttendeeProfile | None) -> "Answers":
        if profile is None:
            return cls()
        values = {f.name: getattr(profile, f.name) for f in fields(cls)}
        values["prefers_women_only"] = bool(profile.prefers_women_only)
        return cls(**values)


def has_answered(person: User) -> bool:
    """Whether an attendee has been through the preferences page (staff never need to)."""
    if person.role != Role.ATTENDEE:
        return True
    profile = contact.profile_for(person)
    return profile is not None and profile.prefers_women_only is not None


def prefers_women_only(person: User | None) -> bool:
    """True only for a signed-in attendee who asked for a women-only group."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if person.role != Role.ATTENDEE:
        return False
    profile = contact.profile_for(person)
    return bool(profile and profile.prefers_women_only)


def save(
    person: User, answers: Answers, *, now: datetime, by: User | None = None, why: str = ""
) -> AttendeeProfile:
    """Save a person's answers, creating their profile if needed: their own, or written down by
    staff (``by``, with ``why``) while the person tells them, on the phone.

    A phone, text or voicemail channel needs a number. Raises PreferencesError
    "phone_number_needed", a letter an address ("postal_address_needed"), and the safe hours must
    run forwards ("safe_hours_order"). The audit event records that answers changed, never
    what they are.
    """
    if person.role != Role.ATTENDEE:
        raise PreferencesError("not_found")
    number = answers.phone_number.strip()
    if (answers.phone_is_safe or answers.text_is_safe or answers.voicemail_is_safe) and not number:
        raise PreferencesError("phone_number_needed")
    if answers.post_is_safe and not answers.postal_address.strip():
        raise PreferencesError("postal_address_needed")
    if not 0 <= answers.safe_from_hour < answers.safe_until_hour <= 24:
        raise PreferencesError("safe_hours_order")
    profile = contact.profile_for(person)
    if profile is None:
        profile = AttendeeProfile(user_id=person.id)
        db.session.add(profile)
    for item in fields(Answers):
        value = getattr(answers, item.name)
        setattr(profile, item.name, value.strip() if isinstance(value, str) else value)
    profile.updated_at = now
    db.session.flush()
    if by is None:
        audit.record("profile.preferences_saved", "user", person.id, actor=person, now=now)
    else:
        audit.record("profile.preferences_saved", "user", person.id, actor=by, now=now, why=why)
    return profile
