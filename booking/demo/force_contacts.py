"""A demo force contact: one officer of a partner force, who sees only that force's referrals;
and a demo data-sharing agreement with outcome codes."""

from datetime import datetime

from sqlalchemy import select

from booking.extensions import db
from booking.models import PoliceForce, Role, User
from booking.services.referrals import sharing

# (email, force slug, first name, last name); the password is the demo password.
DEMO_FORCE_CONTACT = ("force.kent@example.org", "kent", "Kim", "Baker")


def seed_force_contact(*, password: str) -> int:
    """Add the demo force contact once. Returns how many accounts were added (0 or 1)."""
    email, slug, first_name, last_name = DEMO_FORCE_CONTACT
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        return 0
    force = db.session.scalar(select(PoliceForce).where(PoliceForce.slug == slug))
    if force is None:
        return 0
    user = User(
        email=email,
        role=Role.FORCE_CONTACT,
        first_name=first_name,
        last_name=last_name,
        force_id=force.id,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return 1


# Dyfed-Powys shares on written terms and records a completed course as Outcome 22.
DYFED_POWYS_TERMS = sharing.Terms(
    fields=["outcome_code", "outcome_wording", "referral_date", "deadline"],
    lawful_basis="Law enforcement purposes: Data Protection Act 2018, Part 3 (section 35)",
    retention="Six years from the outcome, then deleted",
    governance_contact="information.governance@dyfed-powys.example.uk",
    codes={
        "completed": ("Outcome 22", "condition met"),
        "not_completed": ("Outcome 22", "condition not met"),
        "withdrawn": ("Outcome 22", "withdrawn"),
    },
)


def seed_force_agreement(*, now: datetime) -> int:
    """Dyfed-Powys's agreement, once. Returns how many were added (0 or 1)."""
    force = db.session.scalar(select(PoliceForce).where(PoliceForce.slug == "dyfed-powys"))
    if force is None or sharing.current(force.id) is not None:
        return 0
    sharing.record_agreement(force, DYFED_POWYS_TERMS, by=None, now=now)
    return 1
