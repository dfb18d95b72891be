"""Safe contact: nobody is contacted on a channel they have not said is safe, or outside the
hours they said are safe for a text or a call.

A person's safe channels come from their profile, in their order of preference. Staff and
trainers are reached by email (their work address).
"""

import os
from datetime import datetime, time, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import AttendeeProfile, Channel, Role, User
from booking.services.clock import LONDON

# The number texts, letters, voicemails and pages give people to call. A plain office line.
CONTACT_PHONE = os.environ.get("CONTACT_PHONE", "0808 157 0192")

# The order used when a person has not put their safe channels in order: a text reaches a
# shared or pay-as-you-go phone soonest, a letter is slow, a call needs a member of staff.
USUAL_ORDER = (Channel.TEXT, Channel.EMAIL, Channel.LETTER, Channel.CALL)
# Addresses ending so are stand-ins (RFC 2606 reserves the name): no mail ever reaches them.
PLACEHOLDER_DOMAIN_ENDING = ".invalid"
DEFAULT_SAFE_FROM_HOUR = 9
DEFAULT_SAFE_UNTIL_HOUR = 20
# Only these reach a phone, so only these wait for the person's safe hours.
TIMED_CHANNELS = frozenset({Channel.TEXT, Channel.CALL})

CHANNEL_NAMES = {
    Channel.EMAIL: "email",
    Channel.TEXT: "text message",
    Channel.LETTER: "letter",
    Channel.CALL: "phone call from our team",
}


# Passed instead of a profile: read it now. A message reads the profile once and passes it
# to each of its steps (name, voicemail, channels, safe hours), which would each read it again.
LOOK_IT_UP = object()


def profile_for(person: User) -> AttendeeProfile | None:
    query = select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
    if _profile_changes_unwritten():
        return db.session.scalar(query)
    # Nothing waiting to be written can change the answer, so the rows that are waiting (a new
    # booking's audit events, say) stay waiting and go with the rest in one INSERT, rather than
    # being written early by this read.
    with db.session.no_autoflush:
        return db.session.scalar(query)


def _profile_changes_unwritten() -> bool:
    changed = (*db.session.new, *db.session.dirty, *db.session.deleted)
    return any(isinstance(row, AttendeeProfile) for row in changed)


def _is_attendee(person: User) -> bool:
    return person.role == Role.ATTENDEE


def contact_profile(person: User) -> AttendeeProfile | None:
    """The profile that says how to reach ``person``: None for staff and trainers (reached at
    their work email) and for an attendee who has not told us."""
    return profile_for(person) if _is_attendee(person) else None


def _given_or_read(person: User, profile: object) -> AttendeeProfile | None:
    if not _is_attendee(person):
        return None
    if profile is LOOK_IT_UP:
        return profile_for(person)
    return profile if isinstance(profile, AttendeeProfile) else None


def email_is_safe(person: User) -> bool:
    """Staff and trainers can always be emailed; attendees only once they have said it is safe."""
    if not _is_attendee(person):
        return True
    profile = profile_for(person)
    return bool(profile and profile.email_is_safe)


def name_to_use(person: User, profile: object = LOOK_IT_UP) -> str:
    profile = _given_or_read(person, profile)
    return profile.preferred_name if profile and profile.preferred_name else person.first_name


def has_placeholder_email(person: User) -> bool:
    """Whether the account's own address is a stand-in that can never receive mail (a person
    set up without one, or a guest whose address another account already has)."""
    return person.email.endswith(PLACEHOLDER_DOMAIN_ENDING)


def _email_address(person: User, profile: AttendeeProfile | None) -> str:
    if not has_placeholder_email(person):
        return person.email
    # users.email is unique, so a guest who typed an address another account has keeps it on
    # their profile: what they typed is where they expect their booking to arrive.
    return (profile.contact_email or "") if profile is not None else ""


def email_address(person: User) -> str:
    """Where email to ``person`` goes, or "" when they have no address that can receive it."""
    if not has_placeholder_email(person):
        return person.email
    return _email_address(person, profile_for(person) if _is_attendee(person) else None)


def address_for(person: User, channel: Channel, profile: AttendeeProfile | None) -> str:
    """Where a message on ``channel`` goes, or "" when we have nowhere to send it."""
    if channel == Channel.EMAIL:
        return _email_address(person, profile)
    if profile is None:
        return ""
    if channel in (Channel.TEXT, Channel.CALL):
        return profile.phone_number.strip()
    if channel == Channel.LETTER and profile.postal_address.strip():
        # The name the person chose goes on the envelope, then their address: nothing else.
        name = f"{profile.preferred_name or person.first_name} {person.last_name}".strip()
        return f"{name}, {profile.postal_address.strip()}"
    return ""


def _marked_safe(profile: AttendeeProfile, channel: Channel) -> bool:
    return {
        Channel.EMAIL: profile.email_is_safe,
        Channel.TEXT: profile.text_is_safe,
        Channel.LETTER: profile.post_is_safe,
        Channel.CALL: profile.phone_is_safe or profile.voicemail_is_safe,
    }[channel]


def preference_order(profile: AttendeeProfile | None) -> list[Channel]:
    """Every channel, the person's chosen order first, then the usual order for the rest."""
    chosen: list[Channel] = []
    for word in (profile.contact_order if profile else "").split(","):
        word = word.strip()
        if word in Channel._value2member_map_ and Channel(word) not in chosen:
            chosen.append(Channel(word))
    return chosen + [channel for channel in USUAL_ORDER if channel not in chosen]


def safe_channels(person: User, profile: object = LOOK_IT_UP) -> list[tuple[Channel, str]]:
    """The channels it is safe to use for ``person`` and that can reach them, best first,
    each with its address (an email address, a phone number or a postal address).

    Lists pass each person's ``profile`` (loaded for all rows at once) to save a query a row.
    """
    if not _is_attendee(person):
        return [(Channel.EMAIL, person.email)] if person.email else []
    if profile is LOOK_IT_UP:
        profile = profile_for(person)
    if not isinstance(profile, AttendeeProfile):
        return []
    reachable = []
    for channel in preference_order(profile):
        address = address_for(person, channel, profile)
        if _marked_safe(profile, channel) and address:
            reachable.append((channel, address))
    return reachable


def how_we_reach(person: User) -> list[str]:
    """The channels a message to ``person`` would go to first, in order, as plain words
    ("text message", "email"), for honest pages: empty means we cannot reach them at all."""
    return [CHANNEL_NAMES[channel] for channel, _ in safe_channels(person)]


def how_we_will_tell(person: User) -> str:
    """One honest sentence for a page that promises news: how it will reach the person, or,
    when nothing can, how to keep track themselves."""
    reach = how_we_reach(person)
    if not reach:
        return (
            "You have not told us a safe way to contact you, so we will not send you messages. "
            "Please write down your booking reference and check your bookings page, "
            f"or call us on {CONTACT_PHONE}."
        )
    if reach[0] == CHANNEL_NAMES[Channel.CALL]:
        return "Someone from our team will phone you, at a time you said is safe."
    return f"We will let you know by {reach[0]}."


def voicemail_is_safe(person: User, profile: object = LOOK_IT_UP) -> bool:
    profile = _given_or_read(person, profile)
    return bool(profile and profile.voicemail_is_safe)


def safe_hours(profile: AttendeeProfile | None) -> tuple[int, int]:
    """The hours (UK time, from and until) a text or a call is safe; 9am to 8pm by default."""
    if profile is None:
        return DEFAULT_SAFE_FROM_HOUR, DEFAULT_SAFE_UNTIL_HOUR
    start, end = profile.safe_from_hour, profile.safe_until_hour
    if not (0 <= start < end <= 24):
        return DEFAULT_SAFE_FROM_HOUR, DEFAULT_SAFE_UNTIL_HOUR
    return start, end


def safe_hours_words(profile: AttendeeProfile | None) -> str:
    """'between 9am and 8pm (UK time)', for the staff call list."""
    start, end = safe_hours(profile)
    return f"between {_hour_words(start)} and {_hour_words(end)} (UK time)"


def _hour_words(hour: int) -> str:
    if hour in (0, 24):
        return "midnight"
    if hour == 12:
        return "midday"
    return f"{hour % 12 or 12}{'am' if hour < 12 else 'pm'}"


def next_safe_moment(
    person: User, channel: Channel, now: datetime, profile: object = LOOK_IT_UP
) -> datetime:
    """``now`` when a message on ``channel`` may go now; otherwise the start of the person's
    next safe hours. Email and letters are not held back: nobody hears them arrive."""
    if channel not in TIMED_CHANNELS or not _is_attendee(person):
        return now
    start, end = safe_hours(_given_or_read(person, profile))
    return next_moment_within(now, start, end)


def next_moment_within(now: datetime, start_hour: int, end_hour: int) -> datetime:
    """The first moment at or after ``now`` that falls between the hours (UK time)."""
    local = now.astimezone(LONDON)
    if start_hour <= local.hour < end_hour:
        return now
    day = local.date() if local.hour < start_hour else local.date() + timedelta(days=1)
    opening = datetime.combine(day, time(hour=start_hour), tzinfo=LONDON)
    return opening.astimezone(now.tzinfo)


def within_safe_hours(person: User, channel: Channel, now: datetime) -> bool:
    return next_safe_moment(person, channel, now) == now
