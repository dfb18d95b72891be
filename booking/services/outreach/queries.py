"""Named reads for the contact pages: a referral and its contact timeline."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import ContactStep, Referral


def referral(referral_id: int) -> Referral | None:
    return db.session.scalar(
        select(Referral)
        .options(joinedload(Referral.force), joinedload(Referral.course_type))
        .where(Referral.id == referral_id)
    )


def timeline(referral_id: int) -> list[ContactStep]:
    """Every step of the referral's contact plan, in order, with what it queued (one query)."""
    return list(
        db.session.scalars(
            select(ContactStep)
            .options(joinedload(ContactStep.notification))
            .where(ContactStep.referral_id == referral_id)
            .order_by(ContactStep.number, ContactStep.id)
        )
    )
