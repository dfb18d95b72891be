"""Which columns hold personal data, declared in one place, and what replaces them.

``PERSONAL`` lists, for each kind of data (each with its own retention period), the tables and
columns that hold it and the value left behind. ``NOT_PERSONAL`` lists every other text column,
on purpose. A test walks every text column of every table: one in neither list fails it, so a
new table's personal text cannot be forgotten by retention; add it here (and its rows to
``anonymise.py``) or, if it really holds nothing about a person, to ``NOT_PERSONAL``.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import JSON, MetaData, String, Table, Text, cast, literal, update
from sqlalchemy.sql.elements import ColumnElement

from booking.extensions import db
from booking.models import Base
from booking.services.privacy.policy import CONTACT, HELP_WITH_FEES, NEEDS, OFFENCE, PAYMENTS

REMOVED = "removed"
# A date of birth cannot be empty; this one is plainly not a real person's.
NO_DATE = date(1900, 1, 1)


def unique_text(prefix: str, suffix: str = "") -> Callable[[Table], ColumnElement]:
    """A replacement for a column that must stay unique: the prefix and the row's own id."""

    def expression(table: Table) -> ColumnElement:
        value = literal(prefix) + cast(table.c.id, String)
        return value + literal(suffix) if suffix else value

    return expression


Replacement = Any  # a plain value, or a function of the table giving a SQL expression

PERSONAL: dict[str, dict[str, dict[str, Replacement]]] = {
    OFFENCE: {
        "referrals": {
            # Unique per force, so each row keeps its own harmless stand-in.
            "police_reference": unique_text("removed-"),
            "first_name": REMOVED,
            "last_name": REMOVED,
            "date_of_birth": NO_DATE,
            "contact_email": "",
            "contact_phone": "",
            "disposal_type": "",
        },
        # An outcome sent to the force names the referral by its police reference.
        "force_webhook_deliveries": {"body": ""},
    },
    NEEDS: {
        "attendee_profiles": {
            "prefers_women_only": None,
            "needs_step_free": False,
            "needs_hearing_loop": False,
            "needs_large_print": False,
            "needs_bsl_interpreter": False,
            "interpreter_language": "",
            "needs_childcare": False,
            "needs_travel_help": False,
            "other_needs": "",
        },
    },
    CONTACT: {
        "users": {
            "email": unique_text("removed-", "@removed.invalid"),
            "first_name": REMOVED,
            "last_name": "",
            "is_active_account": False,
        },
        "attendee_profiles": {
            "preferred_name": "",
            "phone_number": "",
            "best_times": "",
            "email_is_safe": False,
            "phone_is_safe": False,
            "text_is_safe": False,
            "voicemail_is_safe": False,
            "post_is_safe": False,
            "postal_address": "",
            "contact_order": "",
            # A guest's typed address: personal, and cleared with the rest of their contact.
            "contact_email": None,
        },
        "notifications": {
            "to_address": "",
            "body": "",
            "ics_attachment": "",
            "last_error": "",
            "wordings": "",
        },
        # Texts the person sent us, and the number they came from.
        "text_replies": {"from_number": "", "content": ""},
        "waiting_list_entries": {"claim_token": None},
    },
    PAYMENTS: {
        "payments": {
            "reference": "",
            "stripe_checkout_session_id": None,
            "stripe_payment_intent_id": None,
        },
        "refunds": {"reason": "", "failure": "", "stripe_refund_id": None},
    },
    HELP_WITH_FEES: {
        "waiver_requests": {"note": "", "decision_reason": "", "override_reason": ""},
        "fund_ledger_entries": {"note": ""},
    },
}

# Audit details are scrubbed with the record they describe (see anonymise.scrub_audit_details).
AUDIT_DETAIL = ("audit_events", "detail")

# Text columns that hold nothing about a person, each for a reason.
NOT_PERSONAL: dict[str, set[str]] = {
    # Credentials: replaced by an unusable hash when the account is anonymised, never shown.
    "users": {"password_hash", "role"},
    "referrals": {"status", "idempotency_key", "extension_agreed_by"},
    "bookings": {"reference", "status", "cancel_reason"},  # cancel_reason is a code
    "payments": {"method", "status"},
    "refunds": {"status"},
    "stripe_events": {"event_id", "type"},
    "waiver_requests": {"status", "reason_category"},
    "fund_ledger_entries": {"kind"},
    "hardship_funds": {"name", "funder"},
    # Subjects are one fixed neutral line per kind (outbox.NEUTRAL_SUBJECTS), never personal.
    "notifications": {"channel", "kind", "subject", "status", "call_outcome", "provider_id"},
    "text_replies": {"provider_id", "meaning"},  # Notify's id, and a code (coming / change)
    "waiting_list_entries": {"status"},
    # The contact plan's steps: codes, and staff notes about the plan (never the person).
    "contact_steps": {"way", "status", "channel", "note"},
    "audit_events": {"action", "entity_type"},
    "police_forces": {"slug", "name", "country", "webhook_url", "webhook_secret"},
    "schemes": {"name", "disposal_types"},
    "course_types": {"slug", "name", "summary", "delivery"},
    "venues": {"name", "address", "postcode", "travel_notes"},
    "course_sessions": {"online_join_url", "status", "notes"},
    "session_series": {"title"},
    # Staff working records, outside the attendee retention policy.
    "trainer_profiles": {"calendar_token"},
    "trainer_unavailability": {"reason"},
    "session_assignments": {"source"},
    "allocation_runs": {"status", "solver_status", "progress"},
    "unstaffed_sessions": {"reason"},
    "attendance_records": {"status"},
    "retention_runs": {"trigger", "counts", "policy"},
    "anonymised_records": {"kind"},
    "alembic_version": {"version_num"},
    # The worker's locks and the solver's progress line.
    "job_locks": {"name", "holder"},
    # Force systems: a token's label and hash, a force's webhook settings, delivery states. The
    # person at the force who agreed an extension is force staff, not the person referred.
    "api_tokens": {"name", "prefix", "token_hash"},
    "force_webhook_deliveries": {"event", "status", "last_error"},
    # A force's data-sharing agreement: its terms and outcome codes, and a force-side contact.
    "force_agreements": {
        "fields",
        "lawful_basis",
        "retention",
        "governance_contact",
        "completed_code",
        "completed_wording",
        "not_completed_code",
        "not_completed_wording",
        "withdrawn_code",
        "withdrawn_wording",
    },
}


def personal_columns() -> set[tuple[str, str]]:
    """Every (table, column) declared personal, whatever its kind."""
    declared = {
        (table, column)
        for tables in PERSONAL.values()
        for table, columns in tables.items()
        for column in columns
    }
    return declared | {AUDIT_DETAIL}


def text_columns(metadata: MetaData | None = None) -> set[tuple[str, str]]:
    """Every column of every table that can hold text (strings, long text, JSON)."""
    metadata = metadata or Base.metadata
    return {
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, (String, Text, JSON))
        or isinstance(getattr(column.type, "impl", None), (String, Text, JSON))
    }


def undeclared_text_columns(metadata: MetaData | None = None) -> set[tuple[str, str]]:
    """Text columns in neither list: each one is a decision nobody has made yet."""
    allowed = {(table, column) for table, columns in NOT_PERSONAL.items() for column in columns}
    return text_columns(metadata) - personal_columns() - allowed


def scrub(kind: str, table_name: str, ids: Iterable[int]) -> None:
    """Replace the declared personal columns of ``kind`` in these rows of ``table_name``."""
    ids = list(ids)
    if not ids:
        return
    table = Base.metadata.tables[table_name]
    values = {
        column: (replacement(table) if callable(replacement) else replacement)
        for column, replacement in PERSONAL[kind][table_name].items()
    }
    for start in range(0, len(ids), 500):  # stay well inside SQLite's bound-parameter limit
        db.session.execute(
            update(table).where(table.c.id.in_(ids[start : start + 500])).values(values)
        )
