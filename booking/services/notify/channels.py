"""Safe contact: nobody is contacted on a channel they have not said is safe."""

from sqlalchemy import select

from booking.extensions import db
from booking.models import AttendeeProfile, Role, User


def profile_for(person: User) -> AttendeeProfile | None:
    return db.session.scalar(select(AttendeeProfile).where(AttendeeProfile.user_id == person.id))


def email_is_safe(person: User) -> bool:
    """Staff and trainers can always be emailed; attendees only once they have said it is safe."""
    if person.role != Role.ATTENDEE:
        return True
    profile = profile_for(person)
    return bool(profile and profile.email_is_safe)


def name_to_use(person: User) -> str:
    profile = profile_for(person) if person.role == Role.ATTENDEE else None
    return profile.preferred_name if profile and profile.preferred_name else person.first_name
