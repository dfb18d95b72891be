"""What each police force may receive: its data-sharing agreement, and the ONE allow-list that
every outgoing record passes (outcome answers of the API, outcome webhooks, the outcome CSV).

An agreement is versioned per force: each edit adds a version, the highest is in force. A force
without one gets only the minimal outcome fields (which referral, its status and the date). The
same agreement carries the codes and words the force records each outcome as (completed →
"Outcome 22", "condition met"), and is shown to the person in plain words.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from booking.extensions import db
from booking.models import ForceAgreement, PoliceForce, Referral, ReferralStatus, User
from booking.services import audit

# Every field that can ever leave Waypoint for a force, with what it means in plain words.
FIELDS: dict[str, str] = {
    "referral_id": "our number for the referral",
    "police_reference": "the police reference",
    "status": "whether you booked, attended or did not complete",
    "date": "the date of that outcome",
    "outcome_code": "the police code for that outcome",
    "outcome_wording": "the police wording for that outcome",
    "completed_on": "the day you attended",
    "referral_date": "the day you were referred",
    "deadline": "the date the course must be done by",
    "original_deadline": "the first deadline, if it was extended",
    "extension_agreed_by": "who at the police agreed more time",
    "extension_agreed_on": "when more time was agreed",
}
# What every force receives, with or without an agreement.
MINIMAL = ("referral_id", "police_reference", "status", "date")
LENGTHS = {"lawful_basis": 300, "retention": 300, "governance_contact": 200}
CODE_LENGTH, WORDING_LENGTH = 40, 120
OUTCOME_PREFIX = {
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.NOT_COMPLETED: "not_completed",
    ReferralStatus.WITHDRAWN: "withdrawn",
}


def current(force_id: int) -> ForceAgreement | None:
    """The agreement in force for a force (its highest version), or None."""
    return db.session.scalar(
        select(ForceAgreement)
        .where(ForceAgreement.force_id == force_id)
        .order_by(ForceAgreement.version.desc())
        .limit(1)
    )


def allowed_fields(agreement: ForceAgreement | None) -> tuple[str, ...]:
    """The fields a force may receive, in FIELDS order: the minimal ones, plus those its
    agreement names."""
    named = set(agreement.fields.split()) if agreement is not None else set()
    return tuple(name for name in FIELDS if name in MINIMAL or name in named)


def share(agreement: ForceAgreement | None, record: dict) -> dict:
    """The allow-list: ``record`` with only the fields the force may receive. Every outgoing
    record passes here; a field not in FIELDS can never leave, whatever the caller built."""
    allowed = set(allowed_fields(agreement))
    return {name: value for name, value in record.items() if name in allowed}


def outcome_code(agreement: ForceAgreement | None, status: ReferralStatus) -> tuple[str, str]:
    """The force's own code and wording for an outcome ("", "" where it has none)."""
    prefix = OUTCOME_PREFIX.get(status)
    if agreement is None or prefix is None:
        return "", ""
    return getattr(agreement, f"{prefix}_code"), getattr(agreement, f"{prefix}_wording")


def outcome_record(agreement: ForceAgreement | None, referral: Referral, day) -> dict[str, object]:
    """Everything an outcome could say, before the allow-list."""
    code, wording = outcome_code(agreement, referral.status)
    return {
        "referral_id": referral.id,
        "police_reference": referral.police_reference,
        "status": referral.status.value,
        "date": day.isoformat() if day else None,
        "outcome_code": code or None,
        "outcome_wording": wording or None,
        "completed_on": referral.completed_on.isoformat() if referral.completed_on else None,
        "referral_date": referral.referral_date.isoformat(),
        "deadline": referral.deadline.isoformat(),
        "original_deadline": (
            referral.original_deadline.isoformat() if referral.original_deadline else None
        ),
        "extension_agreed_by": referral.extension_agreed_by,
        "extension_agreed_on": (
            referral.extension_agreed_on.isoformat() if referral.extension_agreed_on else None
        ),
    }


@dataclass
class Terms:
    fields: list[str]
    lawful_basis: str
    retention: str
    governance_contact: str
    codes: dict[str, tuple[str, str]]  # "completed" → (code, wording)


def record_agreement(
    force: PoliceForce, terms: Terms, *, by: User | None, now: datetime
) -> ForceAgreement:
    """Add a new version of a force's agreement. Raises ValueError for a field we never share,
    or a value too long to keep."""
    unknown = [name for name in terms.fields if name not in FIELDS]
    if unknown:
        raise ValueError(f"Not a field we can share: {', '.join(unknown)}.")
    for name, limit in LENGTHS.items():
        if len(getattr(terms, name).strip()) > limit:
            raise ValueError(f"Keep the {name.replace('_', ' ')} to {limit} characters.")
    for code, wording in terms.codes.values():
        if len(code.strip()) > CODE_LENGTH or len(wording.strip()) > WORDING_LENGTH:
            raise ValueError(
                f"Keep codes to {CODE_LENGTH} and wording to {WORDING_LENGTH} characters."
            )
    latest = db.session.scalar(
        select(func.max(ForceAgreement.version)).where(ForceAgreement.force_id == force.id)
    )
    row = ForceAgreement(
        force_id=force.id,
        version=(latest or 0) + 1,
        fields=" ".join(name for name in FIELDS if name in terms.fields),
        lawful_basis=terms.lawful_basis.strip(),
        retention=terms.retention.strip(),
        governance_contact=terms.governance_contact.strip(),
        created_at=now,
        created_by_id=by.id if by is not None else None,
    )
    for prefix in OUTCOME_PREFIX.values():
        code, wording = terms.codes.get(prefix, ("", ""))
        setattr(row, f"{prefix}_code", code.strip())
        setattr(row, f"{prefix}_wording", wording.strip())
    db.session.add(row)
    db.session.flush()
    audit.record(
        "force.agreement_recorded",
        "police_force",
        force.id,
        actor=by,
        now=now,
        version=row.version,
    )
    return row


def plain_words(agreement: ForceAgreement | None) -> str:
    """What we tell the police, for the person referred, in one sentence."""
    told = [FIELDS[name] for name in allowed_fields(agreement) if name != "referral_id"]
    listed = ", ".join(told[:-1]) + " and " + told[-1] if len(told) > 1 else told[0]
    return f"What we tell the police: {listed}. Nothing else — not your answers, needs or payments."
