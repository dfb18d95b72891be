"""The contact plan's messages, worded in templates/messages/contact_*.txt (the same renderers
and outbox as every other message): a first contact, a later step, a call the day before."""

from datetime import datetime

from booking.models import Channel, Notification, Referral, User
from booking.services.notify import channels as contact
from booking.services.notify import outbox
from booking.services.notify import wording as message_wording

KINDS = ("contact_first", "contact_nudge", "contact_day_before")


def queue_contact(
    person: User,
    referral: Referral,
    *,
    kind: str,
    now: datetime,
    link: str = "",
    channel: Channel | None = None,
) -> Notification | None:
    """Queue ``kind`` for the referred person on ``channel`` (the caller chose a safe one), or
    on their first safe channel when None. A call is a task on the staff list, to the number
    the person gave us or, failing that, the one the force gave."""
    profile = contact.profile_for(person)
    context = {"deadline": referral.deadline, "link": link}
    if channel == Channel.CALL:
        script = message_wording.render_call(
            kind,
            name=contact.name_to_use(person, profile),
            voicemail=contact.voicemail_is_safe(person, profile),
            **{**context, "link": ""},
        )
        row = outbox.queue_call_task(person, kind=kind, script=script, now=now)
        if not row.to_address:
            row.to_address = referral.contact_phone
        return row
    wordings = message_wording.render_all(kind, person=person, profile=profile, **context)
    if channel is not None:
        wordings = {channel: wordings[channel]}
    return outbox.queue(person, kind=kind, wordings=wordings, now=now, profile=profile)
