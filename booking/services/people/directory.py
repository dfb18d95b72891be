"""Finding a person, and everything staff need to see on one person's record.

Every search and every look at a record is written to the audit log with who did it: being
found here can reveal contact with a police diversion course. What a person needs is read
only when the caller says the viewer's role may see it (``with_needs``).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import CompoundSelect, and_, func, literal_column, or_, select, union
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Booking,
    CourseSession,
    Notification,
    Payment,
    Referral,
    Role,
    User,
    WaitingListEntry,
    WaiverRequest,
)
from booking.services import audit

SEARCH_LIMIT = 50
MIN_QUERY_LENGTH = 2
_NOT_DIGITS = re.compile(r"[^0-9]")


@dataclass
class Match:
    """One search result: a person, or a referral nobody has been set up for yet."""

    person: User | None
    referral: Referral | None = None
    found_by: str = ""


@dataclass
class PersonRecord:
    person: User
    profile: AttendeeProfile | None  # None unless the viewer may see needs
    bookings: list[Booking] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    waiting: list[WaitingListEntry] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    help_requests: list[WaiverRequest] = field(default_factory=list)
    messages: list[Notification] = field(default_factory=list)
    withheld: list[AuditEvent] = field(default_factory=list)
    contact_summary: str = ""  # which channels are safe, shown to every staff role
    contact_number: str = ""  # only when calls, texts or voicemail are safe


def _digits(text: str) -> str:
    return _NOT_DIGITS.sub("", text)


def _tidy(query: str) -> str:
    return " ".join((query or "").split())


def person(person_id: int) -> User | None:
    """Anyone with an account: an attendee, a trainer or staff."""
    return db.session.get(User, person_id)


def attendee(person_id: int) -> User | None:
    """The attendee with this id; None for anyone else (staff, trainers) or nobody."""
    person = db.session.get(User, person_id)
    return person if person is not None and person.role == Role.ATTENDEE else None


def record_search(query: str, *, by: User, now: datetime) -> None:
    """Write down who searched for what: a search can find out who is on a course."""
    audit.record("people.searched", "user", None, actor=by, now=now, query=_tidy(query))


def search(query: str) -> list[Match]:
    """Attendees whose name, email, phone, police reference or booking reference matches.

    A referral that matches by police reference but has no person yet is returned on its own,
    so staff can set the person up from it. At most SEARCH_LIMIT of each; three queries.
    Call ``record_search`` too.
    """
    text = _tidy(query)
    if len(text) < MIN_QUERY_LENGTH:
        return []
    like = f"%{text.lower()}%"
    name_parts = [f"%{part.lower()}%" for part in text.split()]
    digits = _digits(text)
    name_match = [
        or_(
            func.lower(User.first_name).like(part),
            func.lower(User.last_name).like(part),
            func.lower(AttendeeProfile.preferred_name).like(part),
        )
        for part in name_parts
    ]
    conditions = [
        func.lower(User.email).like(like),
        # A guest whose address another account has is found by the address they gave too.
        func.lower(AttendeeProfile.contact_email).like(like),
        *([and_(*name_match)] if name_match else []),
    ]
    if len(digits) >= 4:
        # Phone numbers are typed every way ("07700 900123", "+44 7700..."): compare digits.
        conditions.append(_digits_only(AttendeeProfile.phone_number).like(f"%{digits[-9:]}%"))
    people = db.session.scalars(
        select(User)
        .outerjoin(AttendeeProfile, AttendeeProfile.user_id == User.id)
        .where(
            User.role == Role.ATTENDEE,
            User.id.in_(_candidates(like, max(name_parts, key=len), digits)),
            or_(*conditions),
        )
        .order_by(User.last_name, User.first_name, User.id)
        .limit(SEARCH_LIMIT)
    ).all()
    matches = [Match(person=person, found_by="name, email or phone") for person in people]
    seen = {person.id for person in people}

    by_booking = db.session.scalars(
        select(User)
        .join(Booking, Booking.user_id == User.id)
        # References are made upper-case: an exact match on the column uses its unique index.
        .where(Booking.reference == text.upper().replace(" ", ""))
    ).all()
    for person in by_booking:
        if person.id not in seen:
            matches.append(Match(person=person, found_by="booking reference"))
            seen.add(person.id)

    referrals = db.session.scalars(
        select(Referral)
        .options(joinedload(Referral.user), joinedload(Referral.force))
        .where(func.lower(Referral.police_reference) == text.lower())
        .limit(SEARCH_LIMIT)
    ).all()
    for referral in referrals:
        if referral.user is None:
            matches.append(Match(person=None, referral=referral, found_by="police reference"))
        elif referral.user.id not in seen:
            matches.append(Match(person=referral.user, found_by="police reference"))
            seen.add(referral.user.id)
    return matches


def _candidates(like: str, name_part: str, digits: str) -> CompoundSelect:
    """Ids of everyone who might match, each side one table's conditions on one column each,
    so PostgreSQL answers them from its trigram indexes instead of reading every person.
    Every match is among them: a name matches only if its longest word does."""
    on_users = select(User.id).where(
        or_(
            func.lower(User.email).like(like),
            func.lower(User.first_name).like(name_part),
            func.lower(User.last_name).like(name_part),
        )
    )
    on_profiles = [
        func.lower(AttendeeProfile.contact_email).like(like),
        func.lower(AttendeeProfile.preferred_name).like(name_part),
    ]
    if len(digits) >= 4:
        on_profiles.append(_digits_only(AttendeeProfile.phone_number).like(f"%{digits[-9:]}%"))
    return union(on_users, select(AttendeeProfile.user_id).where(or_(*on_profiles)))


def _digits_only(column):
    """The column with spaces, dashes, brackets and a plus taken out, in SQL. The characters
    are written into the statement, not bound, so it is the very expression PostgreSQL's
    trigram index on phone numbers was built on."""
    for character in (" ", "-", "(", ")", "+", "."):
        column = func.replace(column, literal_column(f"'{character}'"), literal_column("''"))
    return column


def contact_summary(profile: AttendeeProfile | None) -> str:
    """Which ways of contacting the person are safe, in words (no needs, no number)."""
    if profile is None:
        return "Not asked yet: contact nobody until they say how."
    safe = [
        label
        for label, ok in (
            ("email", profile.email_is_safe),
            ("phone calls", profile.phone_is_safe),
            ("texts", profile.text_is_safe),
            ("voicemail", profile.voicemail_is_safe),
            ("letters", profile.post_is_safe),
        )
        if ok
    ]
    return ", ".join(safe) if safe else "No channel is safe: do not contact them."


def record_viewed(person_id: int, *, viewer: User, with_needs: bool, now: datetime) -> bool:
    """Write down who looked at a person's record (and whether it showed their needs).
    False when there is no such attendee."""
    person = db.session.get(User, person_id)
    if person is None or person.role != Role.ATTENDEE:
        return False
    audit.record("person.viewed", "user", person.id, actor=viewer, now=now, needs=with_needs)
    return True


def _number_if_safe(profile: AttendeeProfile | None) -> str:
    if profile is None:
        return ""
    if profile.phone_is_safe or profile.text_is_safe or profile.voicemail_is_safe:
        return profile.phone_number
    return ""


def person_record(person_id: int, *, with_needs: bool) -> PersonRecord | None:
    """One attendee's record for staff, in a fixed number of queries (see ``record_viewed``)."""
    person = db.session.get(User, person_id)
    if person is None or person.role != Role.ATTENDEE:
        return None
    profile = db.session.scalar(select(AttendeeProfile).where(AttendeeProfile.user_id == person.id))
    bookings = db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .options(
            joinedload(Booking.session).joinedload(CourseSession.course_type),
            joinedload(Booking.session).joinedload(CourseSession.venue),
        )
        .where(Booking.user_id == person.id)
        .order_by(CourseSession.starts_at.desc(), Booking.id)
    ).all()
    booking_ids = [booking.id for booking in bookings]
    return PersonRecord(
        person=person,
        profile=profile if with_needs else None,
        contact_summary=contact_summary(profile),
        contact_number=_number_if_safe(profile),
        bookings=list(bookings),
        referrals=list(
            db.session.scalars(
                select(Referral)
                .options(joinedload(Referral.force), joinedload(Referral.course_type))
                .where(Referral.user_id == person.id)
                .order_by(Referral.referral_date.desc(), Referral.id)
            )
        ),
        waiting=list(
            db.session.scalars(
                select(WaitingListEntry)
                .options(joinedload(WaitingListEntry.session).joinedload(CourseSession.course_type))
                .where(WaitingListEntry.user_id == person.id)
                .order_by(WaitingListEntry.joined_at.desc(), WaitingListEntry.id)
            )
        ),
        payments=list(
            db.session.scalars(
                select(Payment)
                .where(Payment.booking_id.in_(booking_ids))
                .order_by(Payment.created_at.desc(), Payment.id)
            )
        )
        if booking_ids
        else [],
        help_requests=list(
            db.session.scalars(
                select(WaiverRequest)
                .where(WaiverRequest.user_id == person.id)
                .order_by(WaiverRequest.id.desc())
            )
        ),
        messages=list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == person.id)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(100)
            )
        ),
        withheld=list(
            db.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.action == "notification.withheld",
                    AuditEvent.entity_type == "user",
                    AuditEvent.entity_id == person.id,
                )
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                .limit(100)
            )
        ),
    )


# Who looked at or searched for people's records: what the safeguarding lead reviews.
ACCESS_ACTIONS = (
    "people.searched",
    "person.viewed",
    "profile.viewed",
    "profile.preferences_saved",
    "session.bookings_viewed",
    "roster.viewed",
    "booking.money_viewed",
    "waiver.queue_viewed",
)
ACCESS_LOG_LIMIT = 200


@dataclass
class Access:
    event: AuditEvent
    actor: User | None


def access_log(*, actor_id: int | None = None) -> list[Access]:
    """The latest looks at people's records, newest first, with who looked (one query)."""
    query = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.action.in_(ACCESS_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(ACCESS_LOG_LIMIT)
    )
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    return [Access(event=event, actor=actor) for event, actor in db.session.execute(query)]
