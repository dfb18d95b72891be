"""Police forces and their schemes, as staff manage them: which forces are partners, and each
scheme's disposal types, days to complete, fee and accepted courses."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.extensions import db
from booking.models import CourseType, PoliceForce, Scheme, User
from booking.services import audit
from booking.services.errors import ScheduleError


@dataclass(frozen=True)
class SchemeDetails:
    force_id: int
    name: str
    disposal_types: str  # as typed: separated by commas
    days_to_complete: int
    fee_pence: int | None  # None: the course type's usual fee
    course_type_ids: list[int]
    is_active: bool = True


def tidy_disposal_types(text: str) -> str:
    """'Community resolution, conditional caution' -> 'community-resolution,conditional-caution'
    (the stored form: lower case, dashes for spaces, no repeats, in the order typed)."""
    seen: list[str] = []
    for part in text.split(","):
        slug = re.sub(r"[^a-z0-9]+", "-", part.strip().lower()).strip("-")
        if slug and slug not in seen:
            seen.append(slug)
    return ",".join(seen)


def forces() -> list[PoliceForce]:
    return list(db.session.scalars(select(PoliceForce).order_by(PoliceForce.name)))


def schemes() -> list[Scheme]:
    """Every scheme with its force and courses (three queries whatever the number)."""
    return list(
        db.session.scalars(
            select(Scheme)
            .options(selectinload(Scheme.force), selectinload(Scheme.course_types))
            .order_by(Scheme.name, Scheme.id)
        )
    )


def set_partner(force: PoliceForce, is_partner: bool, *, by: User, now: datetime) -> None:
    if force.is_partner == is_partner:
        return
    force.is_partner = is_partner
    db.session.flush()
    audit.record(
        "force.updated", "police_force", force.id, actor=by, now=now, is_partner=is_partner
    )


def save_scheme(
    scheme: Scheme | None, details: SchemeDetails, *, by: User, now: datetime
) -> Scheme:
    """Create a scheme (``scheme`` None) or change one. Raises ScheduleError
    ("scheme_needs_disposal") when no disposal type is left after tidying, ("scheme_force")
    for an unknown force, or ("scheme_courses") when no course is chosen."""
    disposal_types = tidy_disposal_types(details.disposal_types)
    if not disposal_types:
        raise ScheduleError("scheme_needs_disposal")
    if db.session.get(PoliceForce, details.force_id) is None:
        raise ScheduleError("scheme_force")
    courses = list(
        db.session.scalars(select(CourseType).where(CourseType.id.in_(details.course_type_ids)))
    )
    if not courses:
        raise ScheduleError("scheme_courses")
    created = scheme is None
    scheme = scheme or Scheme()
    scheme.force_id = details.force_id
    scheme.name = details.name.strip()
    scheme.disposal_types = disposal_types
    scheme.days_to_complete = details.days_to_complete
    scheme.fee_pence = details.fee_pence
    scheme.is_active = details.is_active
    scheme.course_types = courses
    db.session.add(scheme)
    db.session.flush()
    audit.record(
        "scheme.created" if created else "scheme.updated", "scheme", scheme.id, actor=by, now=now
    )
    return scheme
