"""A Hypothesis state machine that drives the booking core with random sequences of actions.

Every rule is one use case through tests/property/actions.py, committed by the real
``unit_of_work()`` as a route would, with refunds sent after the commit; a DomainError is a
fair "no". After every step the
invariants in tests/property/invariants.py are checked against the database.

Rules draw small numbers: a person, session or referral by its index in the world, and a
``pick`` among the rows an action could apply to (a booking to pay, a payment to refund...), so
a failing example prints as a short, readable list of steps.
"""

import itertools
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import (
    Booking,
    BookingStatus,
    CourseSession,
    Payment,
    PaymentStatus,
    Referral,
    SessionStatus,
    User,
    WaitingListEntry,
    WaiverRequest,
    WaiverStatus,
)
from booking.services.errors import DomainError
from tests.property import actions, invariants, world

# How many times each action said yes, and which known defects were seen, across a run.
SUCCEEDED: Counter[str] = Counter()
OBSERVED_DEFECTS: set[str] = set()
OUTCOMES: Counter[str] = Counter()

LIVE = sorted(invariants.LIVE)
HOLDING = sorted(invariants.HOLDING)
PAYABLE = HOLDING + [BookingStatus.AWAITING_WAIVER, BookingStatus.EXPIRED]

people = st.integers(0, 3)
sessions = st.integers(0, 4)
referrals = st.integers(0, 2)
picks = st.integers(0, 7)
steps = st.sampled_from(
    [timedelta(minutes=10), timedelta(minutes=45), timedelta(days=1), timedelta(days=2)]
)


def _note(outcome: str) -> None:
    """Count an outcome in Hypothesis's statistics (a replayed example runs outside a test)."""
    OUTCOMES[outcome] += 1
    if currently_in_test_context():
        event(outcome)


class Databases:
    """One app for the whole run, and a fresh migrated database for each example.

    SQLite: the migrated template is copied over the example's file (after the engine lets go
    of it). PostgreSQL: the run's own database is emptied (see tests/databases.py).
    """

    def __init__(self, databases, workdir: Path) -> None:
        self.databases = databases
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.url = databases.fresh(workdir)

    def fresh(self) -> None:
        db.session.remove()
        db.engine.dispose()
        self.databases.reset(self.url)
        if self.url.startswith("sqlite"):
            for leftover in self.workdir.glob("test.db-*"):
                leftover.unlink()
            self.databases.fresh(self.workdir)

    def close(self) -> None:
        db.session.remove()
        db.engine.dispose()
        self.databases.reset(self.url)
        shutil.rmtree(self.workdir, ignore_errors=True)


class BookingCoreMachine(RuleBasedStateMachine):
    harness: Databases  # set by the test before the run

    def __init__(self) -> None:
        super().__init__()
        self.harness.fresh()
        self.world = world.build()
        self.now = world.START
        self.event_ids = itertools.count(1)
        db.session.rollback()
        self.snap = invariants.Snapshot.take(self.now)
        db.session.rollback()

    def teardown(self) -> None:
        db.session.remove()

    # --- helpers ---------------------------------------------------------------------------

    def _attempt(self, name: str, use_case) -> bool:
        """Run one use case in one unit of work; a DomainError is a "no", anything else fails."""
        try:
            with unit_of_work():
                use_case()
        except DomainError as error:
            _note(f"{name}: no ({error.code})")
            return False
        actions.after_commit(self.now)
        _note(f"{name}: yes")
        SUCCEEDED[name] += 1
        return True

    @staticmethod
    def _pick(ids: list[int], pick: int) -> int:
        """The ``pick``-th of the candidates, wrapping round (the precondition saw one)."""
        return ids[pick % len(ids)]

    # Candidates come from the snapshot the invariants took after the last step, so choosing
    # costs no query; the service still decides (the row may have moved on since).
    def _bookings(self, states, fee_only: bool = False) -> list[int]:
        return [
            b.id
            for b in self.snap.bookings
            if b.status in states and (b.fee_pence > 0 or not fee_only)
        ]

    def _open_holds(self, *, without_help: bool = False) -> list[int]:
        """Held seats whose time has not run out (and, if asked, with no help request yet)."""
        asked = {waiver.booking_id for waiver in self.snap.waivers.values()}
        return [
            b.id
            for b in self.snap.bookings
            if b.status in invariants.HOLDING
            and b.hold_expires_at is not None
            and invariants.aware(b.hold_expires_at) > self.now
            and not (without_help and b.id in asked)
        ]

    def _referral_bookings(self) -> list[int]:
        return [b.id for b in self.snap.bookings if b.status in LIVE and b.referral_id]

    def _pending_payments(self) -> list[int]:
        return [p.id for p in self.snap.payments if p.status == PaymentStatus.PENDING]

    def _refundable_payments(self) -> list[int]:
        return [
            p.id
            for p in self.snap.payments
            if p.status == PaymentStatus.SUCCEEDED and p.refunded_pence < p.amount_pence
        ]

    def _pending_waivers(self) -> list[int]:
        return [w.id for w in self.snap.waivers.values() if w.status == WaiverStatus.PENDING]

    def _offers(self) -> list[int]:
        return [entry.id for entry in self.snap.offers]

    def _started(self) -> list[int]:
        return [
            s.id
            for s in self.snap.sessions.values()
            if s.status == SessionStatus.SCHEDULED and invariants.aware(s.starts_at) <= self.now
        ]

    def _marked_candidates(self) -> list[int]:
        started = set(self._started())
        return [
            b.id
            for b in self.snap.bookings
            if b.status == BookingStatus.CONFIRMED and b.session_id in started
        ]

    def _person(self, index: int) -> User:
        return db.session.get(User, self.world.people[index])

    def _session(self, index: int) -> CourseSession:
        return db.session.get(CourseSession, self.world.sessions[index])

    def _staff(self) -> User:
        return db.session.get(User, self.world.staff)

    # --- taking a seat ---------------------------------------------------------------------

    @rule(person=people, session=sessions)
    def book_from_catalogue(self, person, session):
        self._attempt(
            "book_from_catalogue",
            lambda: actions.book_from_catalogue(
                self._person(person), self._session(session), self.now
            ),
        )

    @rule(person=people, session=sessions)
    def book_by_staff(self, person, session):
        self._attempt(
            "book_by_staff",
            lambda: actions.book_by_staff(
                self._person(person), self._session(session), self._staff(), self.now
            ),
        )

    def _courses_sessions(self, referral: int) -> list[int]:
        """Sessions of the referral's course (others are refused before anything happens)."""
        course_type_id = self.snap.referrals[self.world.referrals[referral]].course_type_id
        return [
            index
            for index, session_id in enumerate(self.world.sessions)
            if self.snap.sessions[session_id].course_type_id == course_type_id
        ]

    @rule(referral=referrals, pick=picks)
    def book_by_referral(self, referral, pick):
        session = self._pick(self._courses_sessions(referral), pick)

        def use_case():
            row = db.session.get(Referral, self.world.referrals[referral])
            actions.book_by_referral(row, row.user, self._session(session), self.now)

        self._attempt("book_by_referral", use_case)

    def _full_sessions(self) -> list[int]:
        """Sessions with no place left at ``now`` (only those have a waiting list to join)."""
        full = invariants.seats_taken(self.snap)
        return [
            index
            for index, session_id in enumerate(self.world.sessions)
            if full[session_id] >= self.snap.sessions[session_id].capacity
        ]

    @precondition(lambda self: self._full_sessions())
    @rule(person=people, pick=picks)
    def join_waiting_list(self, person, pick):
        session = self._pick(self._full_sessions(), pick)
        self._attempt(
            "join_waiting_list",
            lambda: actions.join_waiting_list(
                self._person(person), self._session(session), self.now
            ),
        )

    @precondition(lambda self: self._offers())
    @rule(pick=picks)
    def claim_offer(self, pick):
        entry_id = self._pick(self._offers(), pick)
        self._attempt(
            "claim_offer",
            lambda: actions.claim_offer(db.session.get(WaitingListEntry, entry_id), self.now),
        )

    @precondition(lambda self: self._bookings(LIVE))
    @rule(pick=picks, session=sessions)
    def reschedule(self, pick, session):
        booking_id = self._pick(self._bookings(LIVE), pick)
        self._attempt(
            "reschedule",
            lambda: actions.reschedule(
                db.session.get(Booking, booking_id), self._session(session), self.now
            ),
        )

    # --- ending a booking ------------------------------------------------------------------

    @precondition(lambda self: self._bookings(LIVE))
    @rule(pick=picks)
    def cancel_by_attendee(self, pick):
        booking_id = self._pick(self._bookings(LIVE), pick)
        self._attempt(
            "cancel_by_attendee",
            lambda: actions.cancel_by_attendee(db.session.get(Booking, booking_id), self.now),
        )

    @precondition(lambda self: self._bookings(LIVE))
    @rule(pick=picks)
    def cancel_by_staff(self, pick):
        booking_id = self._pick(self._bookings(LIVE), pick)
        self._attempt(
            "cancel_by_staff",
            lambda: actions.cancel_by_staff(
                db.session.get(Booking, booking_id), self._staff(), self.now
            ),
        )

    @precondition(lambda self: self._referral_bookings())
    @rule(pick=picks)
    def withdraw_referral(self, pick):
        """The referral of a booking on its way is withdrawn: by staff (the force asked) or, on
        odd picks, by the force's own system through the API. One rule drawing what it drew
        before, so the seeded run explores as it did and still reaches every action."""
        booking_id = self._pick(self._referral_bookings(), pick)
        by_force = pick % 2 == 1
        name = "force_withdraws_referral" if by_force else "withdraw_referral"

        def use_case():
            booking = db.session.get(Booking, booking_id)
            referral = db.session.get(Referral, booking.referral_id)
            if by_force:
                actions.force_withdraws_referral(referral, self.now)
            else:
                actions.withdraw_referral(referral, self._staff(), self.now)

        self._attempt(name, use_case)

    # Cancelling a whole session empties it for the rest of the example: once is enough.
    @precondition(
        lambda self: (
            not any(s.status == SessionStatus.CANCELLED for s in self.snap.sessions.values())
        )
    )
    @rule(session=sessions)
    def cancel_session(self, session):
        self._attempt(
            "cancel_session",
            lambda: actions.cancel_session(self._session(session), self._staff(), self.now),
        )

    # Past the last session nothing new can happen: stop the clock there.
    @precondition(lambda self: self.now < world.START + world.LAST_DAY)
    @rule(step=steps)
    def time_passes(self, step):
        """Time passes and the scheduled jobs run, each in its own transaction."""
        self.now += step
        self._attempt("expire_holds", lambda: actions.expire_holds(self.now))
        self._attempt("expire_offers", lambda: actions.expire_offers(self.now))
        self._attempt("close_overdue_referrals", lambda: actions.close_overdue_referrals(self.now))

    # --- money -----------------------------------------------------------------------------

    @precondition(lambda self: self._open_holds())
    @rule(pick=picks)
    def start_card_payment(self, pick):
        booking_id = self._pick(self._open_holds(), pick)
        self._attempt(
            "start_card_payment",
            lambda: actions.start_card_payment(db.session.get(Booking, booking_id), self.now),
        )

    @precondition(lambda self: self._pending_payments())
    @rule(pick=picks, paid=st.booleans())
    def stripe_says(self, pick, paid):
        """Stripe reports how a Checkout ended: paid, or expired unpaid (one rule, so both
        outcomes are switched on and off together when Hypothesis picks which rules to run)."""
        payment_id = self._pick(self._pending_payments(), pick)
        event_id = f"evt_machine_{next(self.event_ids)}"
        action = actions.pay_by_webhook if paid else actions.checkout_expired_by_webhook
        self._attempt(
            action.__name__,
            lambda: action(db.session.get(Payment, payment_id), self.now, event_id),
        )

    @precondition(lambda self: self._bookings(PAYABLE, fee_only=True))
    @rule(pick=picks)
    def record_offline_payment(self, pick):
        booking_id = self._pick(self._bookings(PAYABLE, fee_only=True), pick)
        self._attempt(
            "record_offline_payment",
            lambda: actions.record_offline_payment(
                db.session.get(Booking, booking_id), self._staff(), self.now
            ),
        )

    @precondition(lambda self: self._refundable_payments())
    @rule(pick=picks, whole=st.booleans())
    def refund(self, pick, whole):
        payment_id = self._pick(self._refundable_payments(), pick)
        self._attempt(
            "refund",
            lambda: actions.refund(
                db.session.get(Payment, payment_id), self._staff(), self.now, whole=whole
            ),
        )

    @precondition(lambda self: self._open_holds(without_help=True))
    @rule(pick=picks)
    def ask_for_help(self, pick):
        booking_id = self._pick(self._open_holds(without_help=True), pick)
        self._attempt(
            "ask_for_help",
            lambda: actions.ask_for_help(db.session.get(Booking, booking_id), self.now),
        )

    @precondition(lambda self: self._pending_waivers())
    @rule(pick=picks, approve=st.booleans(), whole=st.booleans())
    def decide_help(self, pick, approve, whole):
        waiver_id = self._pick(self._pending_waivers(), pick)
        self._attempt(
            "decide_help",
            lambda: actions.decide_help(
                db.session.get(WaiverRequest, waiver_id),
                self._staff(),
                self.now,
                approve=approve,
                whole=whole,
            ),
        )

    # --- after the session -----------------------------------------------------------------

    @precondition(lambda self: self._marked_candidates())
    @rule(pick=picks, attended=st.booleans())
    def record_attendance(self, pick, attended):
        """A trainer marks someone at a session that has started."""
        booking_id = self._pick(self._marked_candidates(), pick)
        self._attempt(
            "record_attendance",
            lambda: actions.record_attendance(
                db.session.get(Booking, booking_id), self._staff(), self.now, attended=attended
            ),
        )

    @precondition(lambda self: self._started())
    @rule(pick=picks)
    def close_session(self, pick):
        session_id = self._pick(self._started(), pick)
        self._attempt(
            "close_session",
            lambda: actions.close_session(
                db.session.get(CourseSession, session_id), self._staff(), self.now
            ),
        )

    # --- after every step ------------------------------------------------------------------

    @invariant()
    def database_agrees_with_the_rules(self):
        db.session.rollback()
        self.snap = invariants.Snapshot.take(self.now)
        db.session.rollback()
        found = invariants.violations(self.snap)
        tolerated = invariants.tolerated()
        OBSERVED_DEFECTS.update(name for name in found if name in tolerated)
        failing = {name: problems for name, problems in found.items() if name not in tolerated}
        assert not failing, "\n".join(
            f"{name}: {'; '.join(problems)}" for name, problems in failing.items()
        )
