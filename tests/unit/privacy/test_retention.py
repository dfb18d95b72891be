"""Retention: what is past its period is anonymised, nothing else; figures stay; twice is once."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, cast, func, select

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Base,
    Booking,
    HardshipFund,
    Notification,
    Payment,
    PoliceForce,
    Referral,
    ReferralStatus,
    RetentionRun,
    Role,
    User,
    WaiverRequest,
    utcnow,
)
from booking.services.money import fund as fund_service
from booking.services.money.reports import money_report
from booking.services.notify import messages
from booking.services.privacy import fields
from booking.services.privacy.policy import (
    AUDIT,
    CONTACT,
    HELP_WITH_FEES,
    NEEDS,
    OFFENCE,
    PAYMENTS,
    RetentionPolicy,
    months_before,
)
from booking.services.privacy.retention import apply_retention
from booking.services.referrals.admin import outcome_report_csv
from tests import factories
from tests.privacy_factories import history, plant
from tests.referral_factories import make_email_safe

MARKER = "QZXMARK"
POLICY = RetentionPolicy()


def _months_ago(months: int, days: int = 0):
    return months_before(utcnow(), months) - timedelta(days=days)


def _scan(marker: str) -> list[tuple[str, str]]:
    """Every (table, column) of every table whose text holds ``marker``."""
    found = []
    for table_name, column_name in sorted(fields.text_columns()):
        table = Base.metadata.tables[table_name]
        column = table.c[column_name]
        hits = db.session.scalar(
            select(func.count()).select_from(table).where(cast(column, Text).contains(marker))
        )
        if hits:
            found.append((table_name, column_name))
    return found


def _reports(staff: User) -> dict:
    """Every figure staff and forces see: money by year, each fund, each force's outcomes."""
    now = utcnow()
    years = range(now.year - 9, now.year + 1)
    outcomes = {}
    for force in db.session.scalars(select(PoliceForce).order_by(PoliceForce.id)):
        text = outcome_report_csv(
            force, now.date() - timedelta(days=3650), now.date(), by=staff, now=now
        )
        rows = list(csv.DictReader(io.StringIO(text)))
        # The police reference is the one personal column of this report; its figures are not.
        outcomes[force.slug] = sorted(
            (row["referral_date"], row["deadline"], row["outcome"], row["completed_on"])
            for row in rows
        )
    return {
        "money": [money_report(year) for year in years],
        "funds": [
            fund_service.summary(fund_id)
            for fund_id in db.session.scalars(select(HardshipFund.id).order_by(HardshipFund.id))
        ],
        "outcomes": outcomes,
        "rows": {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name not in ("audit_events", "retention_runs", "anonymised_records")
        },
    }


def _snapshot() -> dict:
    """Every row of every table but the runs' own records, as plain tuples."""
    return {
        table.name: sorted(
            tuple(str(value) for value in row) for row in db.session.execute(select(table)).all()
        )
        for table in Base.metadata.sorted_tables
        if table.name not in ("retention_runs", "anonymised_records", "alembic_version")
    }


def test_every_text_column_is_declared_personal_or_not():
    assert fields.undeclared_text_columns() == set(), (
        "declare these columns in booking/services/privacy/fields.py: PERSONAL (and anonymise "
        "them) or NOT_PERSONAL (they hold nothing about a person)"
    )


def test_a_new_undeclared_text_column_is_caught():
    metadata = MetaData()
    Table("call_tasks", metadata, Column("id", Integer, primary_key=True), Column("notes", String))
    assert fields.undeclared_text_columns(metadata) == {("call_tasks", "notes")}


def test_markers_in_every_personal_field_are_gone_and_reports_unchanged(db):
    staff = factories.user(Role.ADMIN)
    old = history(_months_ago(84), staff=staff)
    plant(old, MARKER)
    # Looked at last year, with words in the detail: the event stays, the words go.
    for entity_type, entity_id in (("user", old.person.id), ("booking", old.of(Booking)[0].id)):
        db.session.add(
            AuditEvent(
                at=_months_ago(12),
                actor_id=staff.id,
                action="profile.viewed",
                entity_type=entity_type,
                entity_id=entity_id,
                detail={"note": f"{MARKER} asked about parking", "booking": 1},
            )
        )
    # Someone still inside every period, with whom nothing may change.
    recent = history(utcnow() - timedelta(days=20), staff=staff)
    plant(recent, "KEEPME")
    db.session.commit()
    # Every personal text column was planted, so a table declared later without rows in the
    # history above fails here until the history grows to cover it.
    assert set(_scan(MARKER)) == fields.personal_columns() & fields.text_columns()
    before = _reports(staff)
    # The old person's money and outcome are in the figures, so "unchanged" means something.
    assert sum(report["totals"]["fees_received"] for report in before["money"]) == 6000
    assert sum(len(rows) for rows in before["outcomes"].values()) == 2

    result = apply_retention(POLICY, now=utcnow(), trigger="command")
    db.session.commit()

    assert _scan(MARKER) == []
    kept_events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.at > _months_ago(13), AuditEvent.actor_id == staff.id)
    ).all()
    assert {"booking": 1} in [event.detail for event in kept_events]
    assert _reports(staff) == before
    assert result.counts[OFFENCE] == 1 and result.counts[CONTACT] == 1
    assert result.counts[NEEDS] == 1 and result.counts[PAYMENTS] == 1
    assert result.counts[HELP_WITH_FEES] == 1 and result.counts[AUDIT] >= 1
    # The recent person's details are all still there.
    kept = {table for table, _ in _scan("KEEPME")}
    assert {"users", "referrals", "attendee_profiles", "notifications", "payments"} <= kept
    person = db.session.get(User, old.person.id)
    assert not person.is_active_account and not person.check_password(factories.PASSWORD)

    run = db.session.get(RetentionRun, result.run_id)
    assert run.trigger == "command" and run.counts[OFFENCE] == 1

    snapshot = _snapshot()
    second = apply_retention(POLICY, now=utcnow(), trigger="command")
    db.session.commit()
    assert second.total == 0
    assert _snapshot() == snapshot


def test_dry_run_counts_and_changes_nothing(db):
    old = history(_months_ago(84))
    db.session.commit()
    snapshot = _snapshot()
    result = apply_retention(POLICY, now=utcnow(), dry_run=True)
    db.session.commit()
    assert result.dry_run and result.counts[CONTACT] == 1 and result.run_id is None
    assert _snapshot() == snapshot
    assert db.session.scalar(select(func.count()).select_from(RetentionRun)) == 0
    assert db.session.get(User, old.person.id).email == old.person.email


@pytest.mark.parametrize(
    ("kind", "inside", "past"),
    [
        (OFFENCE, 11, 13),
        (NEEDS, 2, 4),
        (CONTACT, 23, 25),
        (PAYMENTS, 71, 73),
        (HELP_WITH_FEES, 71, 73),
        (AUDIT, 71, 73),
    ],
)
def test_each_period_takes_exactly_those_past_it(db, kind, inside, past):
    young = history(_months_ago(inside))
    aged = history(_months_ago(past))
    db.session.commit()
    result = apply_retention(POLICY, now=utcnow())
    db.session.commit()
    assert result.counts[kind] >= 1
    assert _is_anonymised(kind, aged) and not _is_anonymised(kind, young)


def _is_anonymised(kind: str, person_history) -> bool:
    person = person_history.person
    if kind == OFFENCE:
        referral = person_history.of(Referral)[0]
        return db.session.get(Referral, referral.id).police_reference.startswith("removed-")
    if kind == NEEDS:
        profile = db.session.scalar(
            select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
        )
        return profile.other_needs == "" and not profile.needs_step_free
    if kind == CONTACT:
        return db.session.get(User, person.id).email.endswith("@removed.invalid")
    if kind == PAYMENTS:
        payment = person_history.of(Payment)[0]
        return db.session.get(Payment, payment.id).stripe_payment_intent_id is None
    if kind == HELP_WITH_FEES:
        waiver = person_history.of(WaiverRequest)[0]
        return db.session.get(WaiverRequest, waiver.id).note == ""
    viewed = person_history.of(AuditEvent)[0]
    return db.session.get(AuditEvent, viewed.id) is None


def test_messages_to_a_person_past_retention_lose_address_and_body(db):
    old = history(_months_ago(30))
    db.session.commit()
    apply_retention(POLICY, now=utcnow())
    db.session.commit()
    for message in old.of(Notification):
        row = db.session.get(Notification, message.id)
        assert (row.to_address, row.body) == ("", "")
        assert row.subject  # the neutral subject stays: it says nothing about the person


def test_a_live_referral_keeps_contact_details(db):
    old = history(_months_ago(30))
    referral = old.of(Referral)[0]
    referral.status, referral.closed_at = ReferralStatus.OPEN, None
    db.session.commit()
    apply_retention(POLICY, now=utcnow())
    db.session.commit()
    assert db.session.get(User, old.person.id).email == old.person.email


def test_months_are_calendar_months():
    assert months_before(datetime(2026, 3, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 12) == datetime(2025, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2024, 2, 29, tzinfo=UTC), -12) == datetime(
        2025, 2, 28, tzinfo=UTC
    )


def test_a_guest_s_typed_address_goes_with_them_and_its_owner_s_messages_stay(db):
    owner = factories.user(Role.ATTENDEE, email="owner@example.org")
    make_email_safe(owner)
    owner_message = messages.account_exists(owner, now=utcnow())
    old = history(_months_ago(30))
    old.of(AttendeeProfile)[0].contact_email = "owner@example.org"
    db.session.commit()
    apply_retention(POLICY, now=utcnow())
    db.session.commit()
    assert db.session.get(AttendeeProfile, old.of(AttendeeProfile)[0].id).contact_email is None
    # The address belongs to another account, whose own messages are not the guest's to lose.
    kept = db.session.get(Notification, owner_message.id)
    assert (kept.to_address, bool(kept.body)) == ("owner@example.org", True)
