"""The wording of a message in every channel, from templates/messages/.

The email (and, with "Dear" and a phone number instead of "reply", the letter) comes from
``templates/messages/<kind>.txt``, the text message from ``templates/messages/text/<kind>.txt``,
and a call script is built around the text's wording (``call/_script.txt``). Amounts are
written by ``amounts.pounds``, as on the pages.
"""

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from booking.models import Channel, User
from booking.services.clock import in_london, long_date, time_of_day
from booking.services.money.amounts import pounds
from booking.services.notify import channels as contact

TEMPLATE_FOLDER = Path(__file__).resolve().parents[3] / "templates" / "messages"

CONTACT_PHONE = contact.CONTACT_PHONE

# Kinds that only some channels can carry. A link that works for an hour is no use in a letter
# or read out on a call; "someone used your email address" only makes sense by email; the
# "reply 1 or 2" question and the morning-of reminder are texts.
ONLY_BY: dict[str, set[Channel]] = {
    "password_reset": {Channel.EMAIL, Channel.TEXT},
    "access_link": {Channel.EMAIL, Channel.TEXT},
    "account_exists": {Channel.EMAIL},
    "attendance_check": {Channel.TEXT},
    "booking_reminder_today": {Channel.TEXT},
}
# Plain text, so no HTML escaping; a missing value is an error, never a silent blank in a message.
_templates = Environment(
    loader=FileSystemLoader(TEMPLATE_FOLDER),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _short_date(moment: datetime | date) -> str:
    """'Tue 3 Mar' in UK time, for texts (a date without a time is shown as it is)."""
    local = in_london(moment) if isinstance(moment, datetime) else moment
    return f"{local:%a} {local.day} {local:%b}"


_templates.filters.update(
    long_date=long_date, time_of_day=time_of_day, pounds=pounds, short_date=_short_date
)


def render(kind: str, **context: Any) -> str:
    """The email body of a message of ``kind``, from ``templates/messages/<kind>.txt``."""
    context.setdefault("channel", Channel.EMAIL.value)
    context.setdefault("reply", "reply to this message")
    context.setdefault("phone", CONTACT_PHONE)
    return _templates.get_template(f"{kind}.txt").render(**context)


def render_text(kind: str, **context: Any) -> str:
    """A text message: one short paragraph from ``templates/messages/text/<kind>.txt``."""
    context.setdefault("phone", CONTACT_PHONE)
    words = " ".join(_templates.get_template(f"text/{kind}.txt").render(**context).split())
    return re.sub(r" ([.,:])", r"\1", words)


def render_letter(kind: str, **context: Any) -> str:
    """A letter: the email's wording, with "Dear", a phone number instead of "reply", and no
    mention of attachments (the envelope carries only the address)."""
    context.update(channel=Channel.LETTER.value, reply=f"call us on {CONTACT_PHONE}")
    return render(kind, **context)


# Context values that are only links: a call script leaves them out (its text then says "call").
SPOKEN_WITHOUT = ("manage_url", "booking_url")
WEB_ADDRESS = re.compile(r"https?://\S+")
SAID_INSTEAD_OF_A_LINK = "(a web link here: do not read it out; help them with it on this call)"


def render_call(kind: str, *, name: str, voicemail: bool, **context: Any) -> str:
    """The script for staff ringing the person: neutral until they know who they are speaking
    to, with the text message's wording as what to tell them."""
    # Links are for reading, not for saying: the text's web addresses become plain words, and
    # where the text offers a link or a phone number, the call keeps the phone number.
    for key in SPOKEN_WITHOUT:
        if key in context:
            context[key] = ""
    message = WEB_ADDRESS.sub(SAID_INSTEAD_OF_A_LINK, render_text(kind, name=name, **context))
    return _templates.get_template("call/_script.txt").render(
        name=name, message=message, voicemail=voicemail, phone=CONTACT_PHONE
    )


def render_call_task(kind: str, **context: Any) -> str:
    """A script for staff to ring the person about ``kind``, from ``call/<kind>.txt``."""
    context.setdefault("phone", CONTACT_PHONE)
    return _templates.get_template(f"call/{kind}.txt").render(**context)


def render_all(
    kind: str, *, person: User, profile: object = contact.LOOK_IT_UP, **context: Any
) -> dict[Channel, str]:
    """The wording of a message in every channel it may go by."""
    if profile is contact.LOOK_IT_UP:
        profile = contact.contact_profile(person)
    name = contact.name_to_use(person, profile)
    allowed = ONLY_BY.get(kind, set(Channel))
    renderers = {
        Channel.EMAIL: lambda: render(kind, name=name, **context),
        Channel.TEXT: lambda: render_text(kind, name=name, **context),
        Channel.LETTER: lambda: render_letter(kind, name=name, **context),
        Channel.CALL: lambda: render_call(
            kind, name=name, voicemail=contact.voicemail_is_safe(person, profile), **context
        ),
    }
    return {channel: build() for channel, build in renderers.items() if channel in allowed}
