"""The staff lists about reaching people: calls to make, messages withheld or failed, and the
development outbox. Each is a fixed number of queries however many rows there are."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import AttendeeProfile, Channel, Notification, NotificationStatus, User
from booking.services.notify import channels as contact
from booking.services.notify import outbox


@dataclass(frozen=True)
class ContactItem:
    notification: Notification
    person: User | None
    name: str
    safe_hours: str
    # In the person's own words ("weekday mornings"); empty when they did not say.
    best_times: str
    voicemail_safe: bool
    # For a withheld or failed message: the safe channels staff may resend it on now.
    resend_on: tuple[Channel, ...]


def _profiles(user_ids: set[int]) -> dict[int, AttendeeProfile]:
    if not user_ids:
        return {}
    rows = db.session.scalars(select(AttendeeProfile).where(AttendeeProfile.user_id.in_(user_ids)))
    return {profile.user_id: profile for profile in rows}


def _items(rows: list[Notification], *, with_resend: bool) -> list[ContactItem]:
    profiles = _profiles({row.user_id for row in rows if row.user_id})
    items = []
    for row in rows:
        person = row.user
        profile = profiles.get(row.user_id) if row.user_id else None
        resend: tuple[Channel, ...] = ()
        if with_resend and person is not None:
            safe = contact.safe_channels(person, profile)
            resend = tuple(outbox.resend_options(row, person, safe))
        name = ""
        if person is not None:
            name = (profile.preferred_name if profile else "") or person.first_name
        items.append(
            ContactItem(
                notification=row,
                person=person,
                name=name,
                safe_hours=contact.safe_hours_words(profile),
                best_times=(profile.best_times or "").strip() if profile else "",
                voicemail_safe=bool(profile and profile.voicemail_is_safe),
                resend_on=resend,
            )
        )
    return items


def calls_to_make() -> list[ContactItem]:
    """Call tasks still to do, soonest first."""
    rows = db.session.scalars(
        select(Notification)
        .options(joinedload(Notification.user))
        .where(
            Notification.channel == Channel.CALL,
            Notification.status == NotificationStatus.PENDING,
        )
        .order_by(Notification.next_attempt_at, Notification.id)
    )
    return _items(list(rows), with_resend=False)


def needing_attention(person_id: int | None = None) -> list[ContactItem]:
    """Messages withheld or failed that nothing has taken over yet, newest first; for one
    person when ``person_id`` is given."""
    query = (
        select(Notification)
        .options(joinedload(Notification.user))
        .where(
            Notification.status.in_([NotificationStatus.WITHHELD, NotificationStatus.FAILED]),
            Notification.followed_by_id.is_(None),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if person_id is not None:
        query = query.where(Notification.user_id == person_id)
    return _items(list(db.session.scalars(query)), with_resend=True)


def development_outbox(limit: int = 200) -> list[Notification]:
    """Texts and letters that no provider sent (none configured), newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .options(joinedload(Notification.user))
            .where(
                Notification.channel.in_([Channel.TEXT, Channel.LETTER]),
                Notification.provider_id == outbox.DEVELOPMENT_PROVIDER_ID,
            )
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )
