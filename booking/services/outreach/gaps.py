"""Staff work the gaps: referrals still open where the plan has not reached the person, the
plan has run out with no booking, or the person missed their first session. Soonest deadline
first, so the people with the fewest days left are rung first."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    Booking,
    BookingStatus,
    Channel,
    ContactStep,
    Notification,
    NotificationStatus,
    Referral,
    ReferralStatus,
    StepStatus,
    User,
)
from booking.services import audit
from booking.services.errors import ContactError
from booking.services.notify import channels as contact
from booking.services.notify import contact_plan as wording
from booking.services.outreach import plan
from booking.services.outreach.funnel import REACHED
from booking.services.referrals.lookup import attendee_for_referral

NOT_REACHED = "Not reached yet"
PLAN_RAN_OUT = "Plan finished, not booked"
MISSED_FIRST = "Missed their first session"


@dataclass(frozen=True)
class Gap:
    referral: Referral
    reason: str
    days_left: int
    # The call task waiting on the staff list, if any (its outcome can be recorded here).
    call_id: int | None


def _reached():
    return exists().where(
        ContactStep.referral_id == Referral.id,
        Notification.id == ContactStep.notification_id,
        Notification.status.in_(REACHED),
    )


def _steps_left():
    return exists().where(
        ContactStep.referral_id == Referral.id, ContactStep.status == StepStatus.PLANNED
    )


def _missed():
    return exists().where(
        Booking.referral_id == Referral.id, Booking.status == BookingStatus.NO_SHOW
    )


def _first_done():
    return exists().where(
        ContactStep.referral_id == Referral.id,
        ContactStep.number == 1,
        ContactStep.status == StepStatus.DONE,
    )


def gaps(*, today) -> list[Gap]:
    """Open referrals needing a person's attention, soonest deadline first (two queries)."""
    statement = (
        select(
            Referral,
            case((_missed(), MISSED_FIRST), (_reached(), PLAN_RAN_OUT), else_=NOT_REACHED),
            _reached(),
            _steps_left(),
            _missed(),
        )
        .options(joinedload(Referral.force), joinedload(Referral.course_type))
        .where(Referral.status == ReferralStatus.OPEN, Referral.deadline >= today, _first_done())
        .order_by(Referral.deadline, Referral.id)
    )
    found = []
    for referral, reason, reached, steps_left, missed in db.session.execute(statement):
        if missed or not reached or not steps_left:
            found.append((referral, reason))
    calls = _pending_calls([referral.id for referral, _ in found])
    return [
        Gap(referral, reason, (referral.deadline - today).days, calls.get(referral.id))
        for referral, reason in found
    ]


def _pending_calls(referral_ids: list[int]) -> dict[int, int]:
    if not referral_ids:
        return {}
    rows = db.session.execute(
        select(ContactStep.referral_id, func.max(Notification.id))
        .join(Notification, Notification.id == ContactStep.notification_id)
        .where(
            and_(
                ContactStep.referral_id.in_(referral_ids),
                Notification.channel == Channel.CALL,
                Notification.status == NotificationStatus.PENDING,
            )
        )
        .group_by(ContactStep.referral_id)
    )
    return {referral_id: notification_id for referral_id, notification_id in rows}


def send_link(
    referral: Referral, *, by: User, now: datetime, link_for: Callable[[User], str]
) -> Notification:
    """Staff send the person a link to their referral now, on their first safe written channel.
    Raises ContactError("channel_not_safe") when no written channel is safe for them."""
    if referral.status != ReferralStatus.OPEN:
        raise ContactError("contact_task_gone")
    person = attendee_for_referral(referral, now=now)
    written = [ch for ch, _ in contact.safe_channels(person) if ch != Channel.CALL]
    if not written:
        raise ContactError("channel_not_safe")
    row = wording.queue_contact(
        person,
        referral,
        kind="contact_nudge",
        now=now,
        link=link_for(person),
        channel=written[0],
    )
    if row is None:
        raise ContactError("channel_not_safe")
    db.session.flush()
    db.session.add(
        ContactStep(
            referral_id=referral.id,
            number=plan.next_number(referral.id),
            way=written[0].value,
            status=StepStatus.DONE,
            due_at=now,
            done_at=now,
            channel=written[0].value,
            notification_id=row.id,
            note=plan.STAFF_NOTE,
            created_at=now,
        )
    )
    audit.record("referral.link_sent", "referral", referral.id, actor=by, now=now)
    db.session.flush()
    return row
