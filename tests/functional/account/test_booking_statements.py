"""The booking POST stays light: a bounded number of SQL statements, whatever the data's size."""

from booking.models import Booking, BookingStatus, Role
from tests import factories

# The catalogue booking of a free session, from sign-in check to confirmation message:
#   1 the signed-in user (the sign-in check; kept, not read again, by the unit of work)
#   2 BEGIN IMMEDIATE on SQLite only: its write lock, taken before the first read
#   3 the session, locked (FOR UPDATE on PostgreSQL, whose lock timeout is set per connection)
#   4 one read under the lock: an active place already?, seats taken, a fitting referral?, the
#     course type and the venue
#   5 INSERT the booking, already confirmed (its held and confirmed moves are not flushed)
#   6 the person's profile, to choose their safe channel for the confirmation
#   7 INSERT the confirmation message (or its withheld row) into the outbox
#   8 INSERT every audit event of the transaction, in one statement at commit
# So 8 on SQLite and 7 on PostgreSQL. It was 16.
MOST_STATEMENTS = 8
# A place with a fee is held for payment: no message yet, so 6 and 5 (no profile, no outbox).
MOST_STATEMENTS_PAID = 6


def _fill(db, course_session, count: int) -> None:
    for number in range(count):
        db.session.add(
            Booking(
                reference=f"FILL{number:04d}",
                session_id=course_session.id,
                user_id=factories.user().id,
                status=BookingStatus.CONFIRMED,
            )
        )
    db.session.commit()


def _statements_to_book(client, count_queries, session_id: int) -> int:
    with count_queries() as counter:
        response = client.post(f"/my/sessions/{session_id}/book")
    assert response.status_code == 303
    assert "/my/bookings/" in response.headers["Location"]
    # SQLite's explicit BEGIN is not a query; on PostgreSQL there is none.
    return len([s for s in counter.statements if s != "BEGIN"])


def _most(db, most_on_sqlite: int) -> int:
    # PostgreSQL has no BEGIN IMMEDIATE: its transactions start without a statement of ours.
    return most_on_sqlite if db.engine.dialect.name == "sqlite" else most_on_sqlite - 1


def _quiet_and_busy(db, **fields):
    quiet = factories.course_session(capacity=100, **fields)
    busy = factories.course_session(capacity=100, **fields)
    _fill(db, busy, 60)
    return quiet.id, busy.id


def test_a_booking_runs_the_same_few_statements_on_a_quiet_or_a_busy_session(
    client, auth, db, count_queries
):
    quiet_id, busy_id = _quiet_and_busy(db)
    auth.login_as(Role.ATTENDEE)

    counts = [_statements_to_book(client, count_queries, id_) for id_ in (quiet_id, busy_id)]
    assert counts[0] == counts[1], counts
    assert counts[0] <= _most(db, MOST_STATEMENTS), counts
    assert db.session.query(Booking).filter_by(status=BookingStatus.CONFIRMED).count() == 62


def test_a_paid_booking_runs_the_same_few_statements_on_a_quiet_or_a_busy_session(
    client, auth, db, count_queries
):
    paid = factories.course_type(default_fee_pence=3000)
    quiet_id, busy_id = _quiet_and_busy(db, course_type_row=paid)
    auth.login_as(Role.ATTENDEE)

    counts = [_statements_to_book(client, count_queries, id_) for id_ in (quiet_id, busy_id)]
    assert counts[0] == counts[1], counts
    assert counts[0] <= _most(db, MOST_STATEMENTS_PAID), counts
    waiting = db.session.query(Booking).filter_by(status=BookingStatus.AWAITING_PAYMENT)
    assert waiting.count() == 2


def test_booking_a_session_that_does_not_exist_is_a_404(client, auth, db):
    auth.login_as(Role.ATTENDEE)
    assert client.post("/my/sessions/999999/book").status_code == 404
    assert db.session.query(Booking).count() == 0


def test_the_booking_form_reads_the_persons_referrals_once(client, auth, db, count_queries):
    course_session = factories.course_session()
    auth.login_as(Role.ATTENDEE)
    with count_queries() as counter:
        response = client.get(f"/my/sessions/{course_session.id}/book")
    assert response.status_code == 200
    # The fee shown and whether the session fits the person's referral come from one read.
    assert len([s for s in counter.statements if "FROM referrals" in s]) == 1
