"""Remove the personal fields of given records, keep the rows, and record that it was done.

Rows stay so that every count, outcome and money total is the same afterwards; only the columns
declared in ``fields.PERSONAL`` change. Each function takes ids already chosen (by the retention
policy or by an erasure) and the run to record them under.
"""

from collections.abc import Iterable

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from booking.extensions import db
from booking.models import (
    AnonymisedRecord,
    AttendeeProfile,
    AuditEvent,
    Booking,
    ForceWebhookDelivery,
    FundLedgerEntry,
    Notification,
    Referral,
    Refund,
    TextReply,
    User,
    WaitingListEntry,
)
from booking.services.privacy import fields
from booking.services.privacy.policy import CONTACT, HELP_WITH_FEES, NEEDS, OFFENCE, PAYMENTS

# Not a hash werkzeug can read, so no password ever matches it.
NO_PASSWORD = "removed"


def referrals(ids: list[int], *, run_id: int) -> None:
    """Police reference, date of birth, disposal, and the names and contact copied on them."""
    addresses = _strings(select(Referral.contact_email).where(Referral.id.in_(ids)))
    fields.scrub(OFFENCE, "referrals", ids)
    deliveries = db.session.scalars(
        select(ForceWebhookDelivery.id).where(ForceWebhookDelivery.referral_id.in_(ids))
    )
    fields.scrub(OFFENCE, "force_webhook_deliveries", list(deliveries))
    # Messages to a referral's address before the person had an account carry no user id.
    if addresses:
        _scrub_notifications(
            and_(Notification.user_id.is_(None), Notification.to_address.in_(sorted(addresses)))
        )
    scrub_audit_details("referral", ids)
    _record(OFFENCE, ids, run_id)


def needs(user_ids: list[int], *, run_id: int) -> None:
    """What a person told us they need, and their preferences."""
    profiles = list(
        db.session.scalars(select(AttendeeProfile.id).where(AttendeeProfile.user_id.in_(user_ids)))
    )
    fields.scrub(NEEDS, "attendee_profiles", profiles)
    _record(NEEDS, user_ids, run_id)


def contact(user_ids: list[int], *, run_id: int) -> None:
    """A person's name, email, phone and every message we wrote to them; the account closes."""
    if not user_ids:
        return
    # Not a guest's typed address (attendee_profiles.contact_email): another account owns it,
    # and that owner's own messages must stay. Messages to the guest carry the guest's id.
    addresses = _strings(select(User.email).where(User.id.in_(user_ids))) | _strings(
        select(Referral.contact_email).where(Referral.user_id.in_(user_ids))
    )
    fields.scrub(CONTACT, "users", user_ids)
    db.session.execute(
        update(User)
        .where(User.id.in_(user_ids))
        .values(
            password_hash=NO_PASSWORD,
            # Ends every session, remember cookie and emailed sign-in link the person had.
            session_version=User.session_version + 1,
            access_link_generation=User.access_link_generation + 1,
        )
    )
    profiles = db.session.scalars(
        select(AttendeeProfile.id).where(AttendeeProfile.user_id.in_(user_ids))
    )
    fields.scrub(CONTACT, "attendee_profiles", list(profiles))
    to_them: ColumnElement[bool] = Notification.user_id.in_(user_ids)
    if addresses:
        to_them = or_(to_them, Notification.to_address.in_(sorted(addresses)))
    _scrub_notifications(to_them)
    replies = db.session.scalars(select(TextReply.id).where(TextReply.user_id.in_(user_ids)))
    fields.scrub(CONTACT, "text_replies", list(replies))
    entries = list(
        db.session.scalars(
            select(WaitingListEntry.id).where(WaitingListEntry.user_id.in_(user_ids))
        )
    )
    fields.scrub(CONTACT, "waiting_list_entries", entries)
    bookings = list(db.session.scalars(select(Booking.id).where(Booking.user_id.in_(user_ids))))
    scrub_audit_details("user", user_ids)
    scrub_audit_details("booking", bookings)
    scrub_audit_details("waiting_list_entry", entries)
    _record(CONTACT, user_ids, run_id)


def payments(payment_ids: list[int], *, run_id: int) -> None:
    """Payment references, Stripe ids and refund reasons; every amount and date stays."""
    fields.scrub(PAYMENTS, "payments", payment_ids)
    refunds = list(db.session.scalars(select(Refund.id).where(Refund.payment_id.in_(payment_ids))))
    fields.scrub(PAYMENTS, "refunds", refunds)
    scrub_audit_details("payment", payment_ids)
    _record(PAYMENTS, payment_ids, run_id)


def help_with_fees(waiver_ids: list[int], *, run_id: int) -> None:
    """What a person wrote about their money, and staff's reasons; amounts and decisions stay."""
    fields.scrub(HELP_WITH_FEES, "waiver_requests", waiver_ids)
    entries = db.session.scalars(
        select(FundLedgerEntry.id).where(FundLedgerEntry.waiver_request_id.in_(waiver_ids))
    )
    fields.scrub(HELP_WITH_FEES, "fund_ledger_entries", list(entries))
    scrub_audit_details("waiver_request", waiver_ids)
    _record(HELP_WITH_FEES, waiver_ids, run_id)


def delete_audit_events(ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids[start : start + 500])))


def scrub_audit_details(entity_type: str, ids: Iterable[int]) -> None:
    """Keep who did what to which record, and when; drop any words the detail held (a reason,
    an address), keeping numbers and yes/no values."""
    ids = list(ids)
    if not ids:
        return
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(ids)
        )
    )
    for event in events:
        kept = {
            key: value
            for key, value in (event.detail or {}).items()
            if value is None or isinstance(value, (bool, int, float))
        }
        if kept != event.detail:
            event.detail = kept
    db.session.flush()


def _scrub_notifications(condition: ColumnElement[bool]) -> None:
    ids = list(db.session.scalars(select(Notification.id).where(condition)))
    fields.scrub(CONTACT, "notifications", ids)


def _strings(query) -> set[str]:
    return {value for value in db.session.scalars(query) if value}


def _record(kind: str, ids: list[int], run_id: int) -> None:
    if ids:
        db.session.execute(
            insert(AnonymisedRecord),
            [{"kind": kind, "entity_id": entity_id, "run_id": run_id} for entity_id in ids],
        )
