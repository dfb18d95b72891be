"""Subject access: everything Waypoint holds about one person, as plain data.

The same dictionary becomes the JSON file and the readable page, so they never disagree.
"""

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendanceRecord,
    AttendeeProfile,
    Booking,
    CourseSession,
    Notification,
    Payment,
    Referral,
    Refund,
    User,
    WaitingListEntry,
    WaiverRequest,
)
from booking.services.privacy import access_log

# Secrets and internal counters: not the person's data, and harmful to hand out.
NEVER_SHOWN = {
    "password_hash",
    "session_version",
    "access_link_generation",
    "claim_token",
    "stripe_checkout_session_id",
}

SECTION_TITLES = {
    "account": "Account",
    "needs_and_contact": "Needs and how to contact them",
    "referrals": "Referrals",
    "bookings": "Bookings",
    "attendance": "Attendance",
    "payments": "Payments",
    "refunds": "Refunds",
    "help_with_fees": "Help with fees",
    "waiting_lists": "Waiting lists",
    "messages": "Messages sent to them",
    "access_log": "Who has seen or changed their records",
}


def person_data(person: User, *, now: datetime) -> dict[str, Any]:
    """Every record about ``person``, each as column name -> plain value, by section."""
    bookings = list(
        db.session.scalars(select(Booking).where(Booking.user_id == person.id).order_by(Booking.id))
    )
    booking_ids = [b.id for b in bookings]
    sessions = {
        s.id: s
        for s in db.session.scalars(
            select(CourseSession)
            .options(joinedload(CourseSession.course_type))
            .where(CourseSession.id.in_({b.session_id for b in bookings}))
        )
    }
    payments = _rows(select(Payment).where(Payment.booking_id.in_(booking_ids)))
    referrals = list(db.session.scalars(select(Referral).where(Referral.user_id == person.id)))
    addresses = {person.email} | {r.contact_email for r in referrals if r.contact_email}
    data: dict[str, Any] = {
        "produced_at": now.isoformat(),
        "account": [_plain(person)],
        "needs_and_contact": _rows(
            select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
        ),
        "referrals": [_plain(r) for r in referrals],
        "bookings": [
            {
                **_plain(b),
                "session_starts_at": _value(sessions[b.session_id].starts_at),
                "course": sessions[b.session_id].course_type.name,
            }
            for b in bookings
        ],
        "attendance": _rows(
            select(AttendanceRecord).where(AttendanceRecord.booking_id.in_(booking_ids))
        ),
        "payments": payments,
        "refunds": _rows(select(Refund).where(Refund.payment_id.in_([p["id"] for p in payments]))),
        "help_with_fees": _rows(select(WaiverRequest).where(WaiverRequest.user_id == person.id)),
        "waiting_lists": _rows(
            select(WaitingListEntry).where(WaitingListEntry.user_id == person.id)
        ),
        "messages": _rows(
            select(Notification)
            .where(
                or_(
                    Notification.user_id == person.id,
                    Notification.to_address.in_(sorted(addresses)),
                )
            )
            .order_by(Notification.id)
        ),
        "access_log": [
            {
                "at": _value(entry.event.at),
                "by": access_log.actor_name(entry.actor),
                "action": entry.event.action,
                "record": entry.event.entity_type,
                "record_id": entry.event.entity_id,
            }
            for entry in access_log.entries(access_log.Filters(person_id=person.id))
        ],
    }
    return data


def _rows(query) -> list[dict[str, Any]]:
    return [_plain(row) for row in db.session.scalars(query)]


def _plain(row: object) -> dict[str, Any]:
    mapper = inspect(row).mapper
    return {
        column.key: _value(getattr(row, column.key))
        for column in mapper.column_attrs
        if column.key not in NEVER_SHOWN
    }


def _value(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value
