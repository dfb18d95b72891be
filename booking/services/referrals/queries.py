"""Reading referrals and forces for staff pages: named queries, so routes never build SQL
themselves."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import ApiToken, CourseType, ForceWebhookDelivery, PoliceForce, Referral


def recent(limit: int) -> list[Referral]:
    """The latest referrals, newest first, with force and course."""
    return list(
        db.session.scalars(
            select(Referral)
            .options(joinedload(Referral.force), joinedload(Referral.course_type))
            .order_by(Referral.id.desc())
            .limit(limit)
        )
    )


def referral(referral_id: int) -> Referral | None:
    return db.session.get(Referral, referral_id)


def partner_forces() -> list[PoliceForce]:
    """Forces that refer people to us, by name."""
    return list(
        db.session.scalars(
            select(PoliceForce).where(PoliceForce.is_partner.is_(True)).order_by(PoliceForce.name)
        )
    )


def force(force_id: int) -> PoliceForce | None:
    return db.session.get(PoliceForce, force_id)


def force_by_slug(slug: str) -> PoliceForce | None:
    return db.session.scalar(select(PoliceForce).where(PoliceForce.slug == slug))


def course_types() -> list[CourseType]:
    return list(db.session.scalars(select(CourseType).order_by(CourseType.name)))


def api_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def delivery_locked(delivery_id: int) -> ForceWebhookDelivery | None:
    """A webhook delivery, locked for this transaction (the sender may be claiming it)."""
    return db.session.get(ForceWebhookDelivery, delivery_id, with_for_update=True)


def active_course_types() -> list[CourseType]:
    """Courses still offered, by name."""
    return list(
        db.session.scalars(
            select(CourseType).where(CourseType.is_active.is_(True)).order_by(CourseType.name)
        )
    )
