"""A person's cancellation takes its session's lock once: the ending locks what it needs in the
one order, and nothing before or after it locks the session again."""

import sys

from booking.models import Booking, BookingStatus, Role, WaitingListEntry, WaitingStatus, utcnow
from booking.services import locks
from booking.services.bookings import seats as bookings
from tests import factories
from tests.referral_factories import make_email_safe


def _count_session_locks(monkeypatch) -> list[tuple[int, ...]]:
    """Every call of locks.lock_sessions, however a module imported it."""
    calls: list[tuple[int, ...]] = []
    original = locks.lock_sessions

    def counting(*session_ids: int):
        calls.append(session_ids)
        return original(*session_ids)

    for name, module in list(sys.modules.items()):
        if name.startswith("booking") and getattr(module, "lock_sessions", None) is original:
            monkeypatch.setattr(module, "lock_sessions", counting)
    return calls


def test_a_person_cancelling_locks_the_session_once(client, auth, db, monkeypatch):
    course_session = factories.course_session(capacity=1)
    person = auth.login_as(Role.ATTENDEE)
    booking = bookings.book_session(course_session.id, person, now=utcnow())
    waiting = factories.user()
    make_email_safe(waiting)
    db.session.add(WaitingListEntry(session_id=course_session.id, user_id=waiting.id))
    db.session.commit()
    locked = _count_session_locks(monkeypatch)

    response = client.post(f"/my/bookings/{booking.reference}/cancel")

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    assert db.session.query(WaitingListEntry).one().status == WaitingStatus.OFFERED
    assert locked == [(course_session.id,)]
