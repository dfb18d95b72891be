"""A demo force contact: one officer of a partner force, who sees only that force's referrals."""

from sqlalchemy import select

from booking.extensions import db
from booking.models import PoliceForce, Role, User

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
