"""The access log: who viewed or changed a person's records, from the audit events."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from booking.extensions import db
from booking.models import (
    AuditEvent,
    Booking,
    Payment,
    Referral,
    Role,
    User,
    WaitingListEntry,
    WaiverRequest,
)
from booking.services.clock import LONDON

# The most rows one page or one export shows; narrow the filters to see further back.
LIMIT = 500


@dataclass(frozen=True)
class Filters:
    person_id: int | None = None
    actor_id: int | None = None
    date_from: date | None = None  # UK dates, inclusive
    date_to: date | None = None

    def as_detail(self) -> dict[str, object]:
        """The filters as an audit detail: viewing the log is itself logged."""
        return {
            "person": self.person_id,
            "staff": self.actor_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    actor: User | None


def person_records(person_id: int) -> dict[str, list[int]]:
    """Every record that is about this person, by audit entity type."""
    bookings = list(db.session.scalars(select(Booking.id).where(Booking.user_id == person_id)))
    return {
        "user": [person_id],
        "booking": bookings,
        "referral": list(
            db.session.scalars(select(Referral.id).where(Referral.user_id == person_id))
        ),
        "payment": list(
            db.session.scalars(select(Payment.id).where(Payment.booking_id.in_(bookings)))
        ),
        "waiver_request": list(
            db.session.scalars(select(WaiverRequest.id).where(WaiverRequest.user_id == person_id))
        ),
        "waiting_list_entry": list(
            db.session.scalars(
                select(WaitingListEntry.id).where(WaitingListEntry.user_id == person_id)
            )
        ),
    }


def about(records: dict[str, list[int]]) -> ColumnElement[bool]:
    return or_(
        *(
            and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(ids))
            for entity_type, ids in records.items()
            if ids
        )
    )


def entries(filters: Filters, *, limit: int = LIMIT) -> list[Entry]:
    """Newest first, with who did each thing; a fixed number of queries whatever the data."""
    query = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if filters.person_id is not None:
        query = query.where(about(person_records(filters.person_id)))
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.date_from is not None:
        query = query.where(AuditEvent.at >= _start_of(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEvent.at < _start_of(filters.date_to + timedelta(days=1)))
    return [Entry(event, actor) for event, actor in db.session.execute(query)]


def staff_members() -> list[User]:
    """Everyone who is not an attendee, for the "staff member" filter."""
    return list(
        db.session.scalars(
            select(User).where(User.role != Role.ATTENDEE).order_by(User.first_name, User.id)
        )
    )


def find_person(text: str) -> User | None:
    """A person from what staff know: an email address, a booking reference, a police
    reference, or an account number."""
    text = text.strip()
    if not text:
        return None
    if text.isdecimal() and len(text) <= 9:  # not isdigit: "²" and "①" are digits int() refuses
        return db.session.get(User, int(text))
    if "@" in text:
        return db.session.scalar(select(User).where(User.email == text.lower()))
    booking = db.session.scalar(select(Booking).where(Booking.reference == text.upper()))
    if booking is not None:
        return booking.user
    referral = db.session.scalar(
        select(Referral).where(Referral.police_reference == text, Referral.user_id.is_not(None))
    )
    return referral.user if referral is not None else None


def csv_text(rows: list[Entry]) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["when_utc", "staff_member", "staff_id", "action", "record", "record_id"])
    for row in rows:
        writer.writerow(
            [
                row.event.at.isoformat(),
                actor_name(row.actor),
                row.event.actor_id or "",
                row.event.action,
                row.event.entity_type,
                row.event.entity_id if row.event.entity_id is not None else "",
            ]
        )
    return output.getvalue()


def actor_name(person: User | None) -> str:
    if person is None:
        return "the system"
    return f"{person.first_name} {person.last_name}".strip()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)
