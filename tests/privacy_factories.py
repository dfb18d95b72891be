"""A person's whole history at a chosen moment in the past, built through the real models."""

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, Text, inspect, update

from booking.extensions import db
from booking.models import (
    AttendanceRecord,
    AttendanceStatus,
    AttendeeProfile,
    AuditEvent,
    Booking,
    BookingStatus,
    Channel,
    ForceWebhookDelivery,
    FundLedgerEntry,
    HardshipFund,
    LedgerKind,
    Notification,
    NotificationStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Referral,
    ReferralStatus,
    Refund,
    Role,
    SessionStatus,
    TextReply,
    User,
    WaitingListEntry,
    WaitingStatus,
    WaiverReason,
    WaiverRequest,
    WaiverStatus,
)
from booking.services.money.fund import financial_year_of
from booking.services.privacy import fields
from tests import factories

_counter = itertools.count(1)


@dataclass
class History:
    person: User
    rows: list[object] = field(default_factory=list)

    def of(self, kind: type) -> list:
        return [row for row in self.rows if isinstance(row, kind)]


def history(at: datetime, *, force=None, staff: User | None = None) -> History:
    """One attendee who registered, was referred, booked, came, paid, was refunded, asked for
    help with the fee, joined a waiting list and was written to, all around ``at``."""
    n = next(_counter)
    force = force or factories.force()
    staff = staff or factories.user(Role.ADMIN)
    person = factories.user(Role.ATTENDEE, created_at=at - timedelta(days=30))
    course = factories.course_type(default_fee_pence=5000)
    session = factories.course_session(
        starts_at=at, venue_row=factories.venue(force), course_type_row=course
    )
    session.status = SessionStatus.DELIVERED
    other = factories.course_session(starts_at=at + timedelta(days=7))
    profile = AttendeeProfile(
        user_id=person.id,
        preferred_name=f"Pref{n}",
        postal_address="1 High Street",
        contact_order="text",
        needs_step_free=True,
        other_needs="a quiet room",
        interpreter_language="Polish",
        email_is_safe=True,
        phone_number="07700900000",
        best_times="mornings",
        updated_at=at - timedelta(days=20),
    )
    referral = Referral(
        force_id=force.id,
        course_type_id=course.id,
        user_id=person.id,
        police_reference=f"PR-{n:05d}",
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=datetime(1990, 1, 1).date(),
        contact_email=f"referred{n}@example.org",
        contact_phone="07700900001",
        disposal_type="community-resolution",
        referral_date=(at - timedelta(days=30)).date(),
        deadline=(at + timedelta(days=30)).date(),
        status=ReferralStatus.COMPLETED,
        completed_on=at.date(),
        closed_at=at,
        created_at=at - timedelta(days=30),
    )
    db.session.add_all([profile, referral])
    db.session.flush()
    booking = Booking(
        reference=f"PV{n:06d}",
        session_id=session.id,
        user_id=person.id,
        status=BookingStatus.ATTENDED,
        fee_pence=5000,
        referral_id=referral.id,
        created_at=at - timedelta(days=20),
        confirmed_at=at - timedelta(days=20),
    )
    db.session.add(booking)
    db.session.flush()
    payment = Payment(
        booking_id=booking.id,
        amount_pence=3000,
        refunded_pence=1000,
        method=PaymentMethod.CARD,
        status=PaymentStatus.SUCCEEDED,
        reference=f"receipt {n}",
        stripe_checkout_session_id=f"cs_test_{n}",
        stripe_payment_intent_id=f"pi_test_{n}",
        created_at=at - timedelta(days=19),
        paid_at=at - timedelta(days=19),
    )
    fund = HardshipFund(year_starting=financial_year_of(at), name=f"Fund {n}", budget_pence=100_000)
    db.session.add_all([payment, fund])
    db.session.flush()
    refund = Refund(
        payment_id=payment.id,
        amount_pence=1000,
        stripe_refund_id=f"re_test_{n}",
        reason="partly refunded",
        created_at=at - timedelta(days=10),
    )
    waiver = WaiverRequest(
        booking_id=booking.id,
        user_id=person.id,
        status=WaiverStatus.APPROVED,
        reason_category=WaiverReason.OTHER,
        note="my benefits were late",
        fee_pence=5000,
        approved_pence=2000,
        fund_id=fund.id,
        decided_by_id=staff.id,
        decided_at=at - timedelta(days=18),
        decision_reason="approved",
        created_at=at - timedelta(days=19),
    )
    db.session.add_all([refund, waiver])
    db.session.flush()
    top_up = FundLedgerEntry(
        fund_id=fund.id,
        kind=LedgerKind.TOP_UP,
        amount_pence=100_000,
        note="Opening budget",
        created_at=at - timedelta(days=60),
    )
    award = FundLedgerEntry(
        fund_id=fund.id,
        kind=LedgerKind.AWARD,
        amount_pence=-2000,
        waiver_request_id=waiver.id,
        force_id=force.id,
        note="award",
        created_at=at - timedelta(days=18),
    )
    entry = WaitingListEntry(
        session_id=other.id,
        user_id=person.id,
        status=WaitingStatus.EXPIRED,
        joined_at=at - timedelta(days=15),
        claim_token=f"claim{n}",
    )
    attendance = AttendanceRecord(
        booking_id=booking.id, status=AttendanceStatus.ATTENDED, marked_by_id=staff.id, marked_at=at
    )
    messages = [
        factories.booked_message(
            person,
            at=at - timedelta(days=20),
            body=f"Dear {person.first_name}, your place is booked.",
            status=NotificationStatus.SENT,
            next_attempt_at=None,
            ics_attachment="BEGIN:VCALENDAR",
            last_error="",
        ),
        # Written to the referral's address before the person had an account.
        Notification(
            user_id=None,
            channel=Channel.EMAIL,
            to_address=referral.contact_email,
            kind="referral_received",
            subject="Your referral",
            body="Choose a date.",
            status=NotificationStatus.SENT,
            created_at=at - timedelta(days=29),
        ),
    ]
    reply = TextReply(
        provider_id=f"reply-{person.id}",
        from_number="07700 900123",
        content="1 see you there",
        meaning="coming",
        user_id=person.id,
        booking_id=booking.id,
        received_at=at - timedelta(days=2),
    )
    delivery = ForceWebhookDelivery(
        force_id=referral.force_id,
        referral_id=referral.id,
        event="referral.completed",
        body=f'{{"police_reference": "{referral.police_reference}"}}',
        created_at=at,
    )
    messages[0].wordings = f"Hello {person.first_name}"
    viewed = AuditEvent(
        at=at,
        actor_id=staff.id,
        action="profile.viewed",
        entity_type="user",
        entity_id=person.id,
        detail={"booking": booking.id, "note": "asked about parking"},
    )
    db.session.add_all([top_up, award, entry, attendance, *messages, reply, delivery, viewed])
    db.session.flush()
    rows = [person, profile, referral, booking, payment, refund, waiver, award, entry, *messages]
    rows += [reply, delivery]
    return History(person=person, rows=[*rows, attendance, viewed])


def plant(marked: History, marker: str) -> None:
    """Put ``marker`` into every text column declared personal, in every row of the history
    (each value made unique with the row's id, and cut to the column's length)."""
    personal = fields.personal_columns()
    # An address written in two places (the account, then a message) stays the same address.
    replaced: dict[str, str] = {}
    last_changed = {profile.id: profile.updated_at for profile in marked.of(AttendeeProfile)}
    for row in marked.rows:
        table = inspect(row).mapper.local_table
        for column in table.columns:
            if (table.name, column.name) not in personal:
                continue
            if isinstance(column.type, (String, Text)):
                current = getattr(row, column.key)
                value = f"{marker}{table.name[:3]}{row.id}{column.name[:4]}"  # type: ignore[attr-defined]
                if "@" in (current or ""):
                    value = replaced.setdefault(current, f"{value}@example.org")
                length = getattr(column.type, "length", None)
                setattr(row, column.key, value[:length] if length else value)
            elif table.name == "audit_events":
                setattr(row, column.key, {**(getattr(row, column.key) or {}), "text": marker})
    db.session.flush()
    # Planting is not the person changing their needs: keep the moment they last did.
    for profile, moment in last_changed.items():
        db.session.execute(
            update(AttendeeProfile).where(AttendeeProfile.id == profile).values(updated_at=moment)
        )
    db.session.expire_all()
