"""Waiting lists: join a full session, get offered a freed place, claim it or let it pass.

An open offer holds a seat (bookings.seats_taken counts it) until it is claimed or lapses.
Offers are made under the session lock, so two freed places never go to one person twice and a
freed place never goes to a walk-in booker while someone is waiting.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    Booking,
    CourseSession,
    User,
    WaitingListEntry,
    WaitingStatus,
)
from booking.services import audit
from booking.services.bookings import confirmation, eligibility
from booking.services.bookings import seats as bookings
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.errors import BookingError, ReferralError
from booking.services.locks import lock_sessions, relock
from booking.services.notify import messages

LIVE = (WaitingStatus.WAITING, WaitingStatus.OFFERED)


def join(session_id: int, person: User, *, now: datetime) -> WaitingListEntry:
    """Join a full session's waiting list.

    Raises BookingError "waitlist_not_full" (book instead), "already_booked", "waitlist_already",
    the ReferralError of a session that does not fit the person's referral, or what locking
    raises.
    """
    (course_session,) = lock_sessions(session_id) or (None,)
    if course_session is None:
        raise BookingError("session_not_open")
    if course_session.starts_at <= now:
        raise BookingError("session_started")
    if bookings.places_left(course_session, now=now) > 0:
        raise BookingError("waitlist_not_full")
    if db.session.scalar(
        select(Booking.id).where(
            Booking.session_id == session_id,
            Booking.user_id == person.id,
            Booking.status.in_(ACTIVE_STATES),
        )
    ):
        raise BookingError("already_booked")
    if _live_entry(session_id, person) is not None:
        raise BookingError("waitlist_already")
    # Nobody waits for a place they could not take: the referral rule is checked now too.
    reason = eligibility.why_session_does_not_fit(person, course_session)
    if reason is not None:
        raise ReferralError(reason)
    entry = WaitingListEntry(session_id=session_id, user_id=person.id, joined_at=now)
    db.session.add(entry)
    db.session.flush()
    audit.record("waitlist.joined", "waiting_list_entry", entry.id, actor=person, now=now)
    return entry


def leave(entry_id: int, person: User, *, now: datetime, policy: EndingPolicy) -> None:
    """Leave a waiting list (or turn down an offer, which passes the place on)."""
    entry = db.session.get(WaitingListEntry, entry_id)
    if entry is None or entry.user_id != person.id or entry.status not in LIVE:
        raise BookingError("offer_gone")
    lock_sessions(entry.session_id)
    relock(entry)
    if entry.status not in LIVE:
        raise BookingError("offer_gone")
    entry.status = WaitingStatus.LEFT
    db.session.flush()
    audit.record("waitlist.left", "waiting_list_entry", entry.id, actor=person, now=now)
    offer_next(entry.session_id, now=now, policy=policy)


def offer_next(session_id: int, *, now: datetime, policy: EndingPolicy) -> int:
    """Offer each free place to the next person waiting. Call with the session locked.

    The offer lasts ``policy.offer_hours`` and its link is ``policy.claim_url(token)``.
    Returns how many offers were made.
    """
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None:
        return 0
    if course_session.starts_at <= now:
        return 0
    made = 0
    free = bookings.places_left(course_session, now=now)
    while free > 0:
        entry = db.session.scalar(
            select(WaitingListEntry)
            .where(
                WaitingListEntry.session_id == session_id,
                WaitingListEntry.status == WaitingStatus.WAITING,
            )
            .order_by(WaitingListEntry.joined_at, WaitingListEntry.id)
            .limit(1)
        )
        if entry is None:
            break
        _offer(entry, by=None, now=now, policy=policy)
        made += 1
        free -= 1
    return made


def _offer(
    entry: WaitingListEntry, *, by: User | None, now: datetime, policy: EndingPolicy
) -> None:
    entry.status = WaitingStatus.OFFERED
    entry.offered_at = now
    entry.offer_expires_at = now + timedelta(hours=policy.offer_hours)
    entry.claim_token = secrets.token_urlsafe(24)
    db.session.flush()
    audit.record("waitlist.offered", "waiting_list_entry", entry.id, actor=by, now=now)
    messages.waitlist_offer(entry, now=now, claim_url=policy.claim_url(entry.claim_token))


def offer_by_hand(
    entry_id: int, *, by: User, now: datetime, policy: EndingPolicy
) -> WaitingListEntry:
    """Staff offer a free place to one chosen person waiting, out of turn (say, someone whose
    deadline is close). The offer holds the seat like any other. Raises BookingError
    "not_waiting", "session_started" or "no_place_free"."""
    entry = _entry_for_staff(entry_id)
    if entry.status != WaitingStatus.WAITING:
        raise BookingError("not_waiting")
    if entry.session.starts_at <= now:
        raise BookingError("session_started")
    if bookings.places_left(entry.session, now=now) <= 0:
        raise BookingError("no_place_free")
    _offer(entry, by=by, now=now, policy=policy)
    return entry


def remove_by_staff(
    entry_id: int, *, by: User, reason: str, now: datetime, policy: EndingPolicy
) -> WaitingListEntry:
    """Staff take someone off a waiting list, with a reason kept in the audit log. An open offer
    they held passes to the next person waiting. Raises BookingError "not_waiting"."""
    entry = _entry_for_staff(entry_id)
    if entry.status not in LIVE:
        raise BookingError("not_waiting")
    held_offer = entry.status == WaitingStatus.OFFERED
    entry.status = WaitingStatus.LEFT
    db.session.flush()
    audit.record(
        "waitlist.removed", "waiting_list_entry", entry.id, actor=by, now=now, reason=reason
    )
    if held_offer:
        offer_next(entry.session_id, now=now, policy=policy)
    return entry


def _entry_for_staff(entry_id: int) -> WaitingListEntry:
    """The entry with its session locked first (the lock order), then re-read."""
    entry = db.session.get(WaitingListEntry, entry_id)
    if entry is None:
        raise BookingError("not_waiting")
    lock_sessions(entry.session_id)
    relock(entry)
    return entry


def expire_offers(*, now: datetime, policy: EndingPolicy) -> int:
    """Lapse offers past their time and pass each place on. Safe to run at any time, and twice."""
    lapsed = db.session.scalars(
        select(WaitingListEntry).where(
            WaitingListEntry.status == WaitingStatus.OFFERED,
            WaitingListEntry.offer_expires_at <= now,
        )
    ).all()
    session_ids = sorted({entry.session_id for entry in lapsed})
    if not session_ids:
        return 0
    lock_sessions(*session_ids)
    count = 0
    for entry in lapsed:
        db.session.refresh(entry)
        still_open = entry.offer_expires_at is not None and entry.offer_expires_at > now
        if entry.status != WaitingStatus.OFFERED or still_open:
            continue
        entry.status = WaitingStatus.EXPIRED
        count += 1
        audit.record("waitlist.expired", "waiting_list_entry", entry.id, actor=None, now=now)
    db.session.flush()
    for session_id in session_ids:
        offer_next(session_id, now=now, policy=policy)
    return count


def entry_for_token(token: str) -> WaitingListEntry | None:
    return db.session.scalar(select(WaitingListEntry).where(WaitingListEntry.claim_token == token))


def claim(
    token: str,
    *,
    now: datetime,
    hold_minutes: int,
    base_url: str,
    women_only_confirmed: bool = False,
) -> Booking:
    """Take an offered place through the one placement function, which re-reads the offer under
    the session lock (of two claims racing, one books and the other gets "offer_gone") and
    links the place to the person's referral. Raises BookingError "offer_gone",
    "offer_expired", or what ``bookings.place_booking`` raises."""
    entry = entry_for_token(token)
    if entry is None:
        raise BookingError("offer_gone")
    booking = confirmation.place_and_tell(
        entry.session_id,
        entry.user,
        now=now,
        hold_minutes=hold_minutes,
        women_only_confirmed=women_only_confirmed,
        source="waitlist",
        offer=entry,
        base_url=base_url,
    )
    return booking


def _live_entry(session_id: int, person: User) -> WaitingListEntry | None:
    return db.session.scalar(
        select(WaitingListEntry).where(
            WaitingListEntry.session_id == session_id,
            WaitingListEntry.user_id == person.id,
            WaitingListEntry.status.in_(LIVE),
        )
    )


def entries_for_person(person: User) -> list[WaitingListEntry]:
    """A person's live waiting-list places, with each session's course and venue loaded in the
    same query (the page names them all)."""
    return list(
        db.session.scalars(
            select(WaitingListEntry)
            .options(
                joinedload(WaitingListEntry.session).joinedload(CourseSession.course_type),
                joinedload(WaitingListEntry.session).joinedload(CourseSession.venue),
            )
            .where(WaitingListEntry.user_id == person.id, WaitingListEntry.status.in_(LIVE))
            .order_by(WaitingListEntry.joined_at)
        )
    )
