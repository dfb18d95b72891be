"""Apply the retention policy: find what is past its period, anonymise it, and keep the proof.

Safe to run twice: each record is anonymised once (``AnonymisedRecord`` remembers it), so a
second run finds nothing and changes nothing. A dry run only counts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from booking.extensions import db
from booking.models import (
    AnonymisedRecord,
    AttendeeProfile,
    AuditEvent,
    Booking,
    BookingStatus,
    CourseSession,
    Payment,
    Referral,
    RetentionRun,
    Role,
    User,
    WaitingListEntry,
    WaiverRequest,
)
from booking.services.privacy import anonymise
from booking.services.privacy.policy import (
    AUDIT,
    CONTACT,
    HELP_WITH_FEES,
    KIND_LABELS,
    NEEDS,
    OFFENCE,
    PAYMENTS,
    RetentionPolicy,
    months_before,
)
from booking.services.referrals.states import CLOSED_STATES, LIVE_STATES

# Bookings that never became a place at a session say nothing about when the person last came.
_NOT_A_SESSION = (BookingStatus.CANCELLED, BookingStatus.EXPIRED)


@dataclass
class RetentionResult:
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    run_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        parts = [f"{KIND_LABELS[kind]}: {count}" for kind, count in self.counts.items()]
        return "; ".join(parts)


def due(policy: RetentionPolicy, *, now: datetime) -> dict[str, list[int]]:
    """The ids past their period and not yet anonymised, by kind (audit events: to delete)."""
    return {
        OFFENCE: _referrals_due(months_before(now, policy.offence_months)),
        NEEDS: _needs_due(months_before(now, policy.needs_months)),
        CONTACT: _contact_due(months_before(now, policy.contact_months)),
        PAYMENTS: _not_done(
            PAYMENTS,
            select(Payment.id).where(
                Payment.created_at < months_before(now, policy.payment_months)
            ),
        ),
        HELP_WITH_FEES: _not_done(
            HELP_WITH_FEES,
            select(WaiverRequest.id).where(
                WaiverRequest.created_at < months_before(now, policy.payment_months)
            ),
        ),
        AUDIT: list(
            db.session.scalars(
                select(AuditEvent.id).where(AuditEvent.at < months_before(now, policy.audit_months))
            )
        ),
    }


def apply_retention(
    policy: RetentionPolicy,
    *,
    now: datetime,
    dry_run: bool = False,
    trigger: str = "schedule",
    by: User | None = None,
) -> RetentionResult:
    """Anonymise everything past its period and write the run's record. Flushes, never commits."""
    plan = due(policy, now=now)
    counts = {kind: len(ids) for kind, ids in plan.items()}
    if dry_run:
        return RetentionResult(counts=counts, dry_run=True)
    run = start_run(policy, now=now, trigger=trigger, by=by, counts=counts)
    # Contact first: it finds a person's messages by the addresses the other steps remove.
    anonymise.contact(plan[CONTACT], run_id=run.id)
    anonymise.needs(plan[NEEDS], run_id=run.id)
    anonymise.referrals(plan[OFFENCE], run_id=run.id)
    anonymise.payments(plan[PAYMENTS], run_id=run.id)
    anonymise.help_with_fees(plan[HELP_WITH_FEES], run_id=run.id)
    anonymise.delete_audit_events(plan[AUDIT])
    db.session.flush()
    db.session.expire_all()  # the updates above bypassed any rows already loaded
    return RetentionResult(counts=counts, run_id=run.id)


def start_run(
    policy: RetentionPolicy,
    *,
    now: datetime,
    trigger: str,
    by: User | None,
    counts: dict[str, int],
    is_erasure: bool = False,
) -> RetentionRun:
    run = RetentionRun(
        ran_at=now,
        trigger=trigger,
        counts=counts,
        policy=policy.as_dict(),
        started_by_id=by.id if by is not None else None,
        is_erasure=is_erasure,
    )
    db.session.add(run)
    db.session.flush()
    return run


def recent_runs(limit: int = 50) -> list[RetentionRun]:
    """The latest runs first, for staff to see that retention happened (one query)."""
    return list(
        db.session.scalars(
            select(RetentionRun)
            .order_by(RetentionRun.ran_at.desc(), RetentionRun.id.desc())
            .limit(limit)
        )
    )


def _done(kind: str):
    return select(AnonymisedRecord.entity_id).where(AnonymisedRecord.kind == kind)


def _not_done(kind: str, query) -> list[int]:
    return list(db.session.scalars(query.where(query.selected_columns[0].not_in(_done(kind)))))


def _referrals_due(cutoff: datetime) -> list[int]:
    """Referrals that ended before the cutoff (one closed without a date: by its deadline)."""
    return _not_done(
        OFFENCE,
        select(Referral.id).where(
            Referral.status.in_(CLOSED_STATES),
            or_(
                Referral.closed_at < cutoff,
                and_(Referral.closed_at.is_(None), Referral.deadline < cutoff.date()),
            ),
        ),
    )


def _needs_due(cutoff: datetime) -> list[int]:
    """People whose last session (or, with none, their last change of needs) is before the
    cutoff. A booked session still to come keeps them."""
    profiles = db.session.execute(
        select(AttendeeProfile.user_id, AttendeeProfile.updated_at).where(
            AttendeeProfile.user_id.not_in(_done(NEEDS)),
            AttendeeProfile.updated_at < cutoff,
        )
    ).all()
    if not profiles:
        return []
    last_session = _latest_by_person(
        select(Booking.user_id, func.max(CourseSession.ends_at))
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(Booking.status.not_in(_NOT_A_SESSION))
        .group_by(Booking.user_id),
        [user_id for user_id, _ in profiles],
    )
    return sorted(
        user_id
        for user_id, _ in profiles
        if user_id not in last_session or last_session[user_id] < cutoff
    )


def _contact_due(cutoff: datetime) -> list[int]:
    """Attendees with no activity since the cutoff: no booking made, session attended or due,
    referral opened or closed, or waiting-list place. A live referral keeps them."""
    people = list(
        db.session.scalars(
            select(User.id).where(
                User.role == Role.ATTENDEE,
                User.created_at < cutoff,
                User.id.not_in(_done(CONTACT)),
            )
        )
    )
    if not people:
        return []
    latest: defaultdict[int, list[datetime]] = defaultdict(list)
    queries = [
        select(Booking.user_id, func.max(Booking.created_at)).group_by(Booking.user_id),
        select(Booking.user_id, func.max(CourseSession.ends_at))
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .group_by(Booking.user_id),
        select(Referral.user_id, func.max(Referral.created_at)).group_by(Referral.user_id),
        select(Referral.user_id, func.max(Referral.closed_at)).group_by(Referral.user_id),
        select(WaitingListEntry.user_id, func.max(WaitingListEntry.joined_at)).group_by(
            WaitingListEntry.user_id
        ),
    ]
    for query in queries:
        for user_id, moment in _latest_by_person(query, people).items():
            latest[user_id].append(moment)
    live = set(
        db.session.scalars(
            select(Referral.user_id).where(
                Referral.user_id.in_(people), Referral.status.in_(LIVE_STATES)
            )
        )
    )
    return sorted(
        person
        for person in people
        if person not in live and all(moment < cutoff for moment in latest[person])
    )


def _latest_by_person(grouped_query, people: list[int]) -> dict[int, datetime]:
    """Run a (user id, latest moment) query for these people, in chunks SQLite accepts."""
    user_column = grouped_query.selected_columns[0]
    found: dict[int, datetime] = {}
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        for user_id, moment in db.session.execute(grouped_query.where(user_column.in_(chunk))):
            if moment is not None:
                found[user_id] = moment
    return found
