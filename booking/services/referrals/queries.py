"""Reading referrals and forces for staff pages: named queries, so routes never build SQL
themselves."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import ApiToken, CourseType, ForceWebhookDelivery, PoliceForce, Referral
from booking.services.referrals import tokens, webhooks


def _matching(text: str):
    """SQL: referrals whose police reference, name or force matches ``text`` (any case)."""
    # Control characters cannot be in a name or reference, and PostgreSQL refuses a NUL in text.
    printable = "".join(character for character in text if character.isprintable())
    words = printable.strip().lower().split()
    conditions = []
    for word in words[:5]:
        like = f"%{word.replace('%', '').replace('_', '')}%"
        conditions.append(
            or_(
                func.lower(Referral.police_reference).like(like),
                func.lower(Referral.first_name).like(like),
                func.lower(Referral.last_name).like(like),
                Referral.force_id.in_(
                    select(PoliceForce.id).where(func.lower(PoliceForce.name).like(like))
                ),
            )
        )
    return conditions


def search(text: str, *, limit: int, offset: int) -> tuple[list[Referral], int]:
    """Referrals matching ``text`` (every word: police reference, first or last name, force),
    newest first, one page of them with the count of all matches. Two queries."""
    conditions = _matching(text)
    total = db.session.scalar(select(func.count(Referral.id)).where(*conditions)) or 0
    rows = db.session.scalars(
        select(Referral)
        .options(joinedload(Referral.force), joinedload(Referral.course_type))
        .where(*conditions)
        .order_by(Referral.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


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


def force_system(force: PoliceForce) -> dict[str, object]:
    """What a force's system page shows, to staff and to the force alike: the force, its API
    tokens and its recent webhook deliveries."""
    return {
        "force": force,
        "tokens": tokens.tokens_for(force),
        "deliveries": webhooks.recent_deliveries(force),
    }


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
