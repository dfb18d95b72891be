"""The one way to take a seat: each rule holds the same on every entry path.

Each path is driven through its own service entry (catalogue booking, booking by referral,
waiting-list claim, reschedule), set up so that only the rule under test can refuse.
"""

import secrets
from datetime import UTC, datetime, time, timedelta

import pytest

from booking.extensions import db as database
from booking.models import (
    Booking,
    BookingStatus,
    ReferralStatus,
    Scheme,
    WaitingListEntry,
    WaitingStatus,
    utcnow,
)
from booking.services.bookings import attendee, rescheduling, waitlist
from booking.services.errors import DomainError
from booking.services.referrals import lookup
from tests import factories
from tests.referral_factories import referral as make_referral

ALL_PATHS = ("catalogue", "referral", "waitlist", "reschedule")
# Paths a person without a referral can take.
OPEN_PATHS = ("catalogue", "waitlist", "reschedule")


def _now():
    return utcnow().replace(microsecond=0)


class World:
    """A force area with a venue and a course type, and a person who lives there."""

    def __init__(self, *, fee_pence=0, referral_required=False):
        self.force = factories.force()
        self.venue = factories.venue(self.force)
        self.course = factories.course_type(
            default_fee_pence=fee_pence, referral_required=referral_required
        )
        self.person = factories.user()

    def session(self, *, days=10, **fields):
        starts_at = _now() + timedelta(days=days)
        return factories.course_session(
            course_type_row=self.course, venue_row=self.venue, starts_at=starts_at, **fields
        )

    def referral(self, *, deadline_days=60, **fields):
        row = make_referral(
            self.force,
            self.course,
            deadline=utcnow().date() + timedelta(days=deadline_days),
            user_id=self.person.id,
            **fields,
        )
        return row


def take(path, world, target, *, referral=None, women_only_confirmed=None, now=None):
    """Take a seat on ``target`` for ``world.person`` through ``path``."""
    now = now or _now()
    person = world.person
    confirm = {} if women_only_confirmed is None else {"women_only_confirmed": True}
    common = dict(now=now, hold_minutes=30, base_url="http://test")
    if path == "catalogue":
        return attendee.book_and_confirm(target.id, person, **common, **confirm)
    if path == "referral":
        assert referral is not None, "the referral path needs a referral"
        return lookup.book_for_referral(referral.id, target.id, person, **common, **confirm)
    if path == "waitlist":
        entry = WaitingListEntry(
            session_id=target.id,
            user_id=person.id,
            joined_at=now - timedelta(days=1),
            status=WaitingStatus.OFFERED,
            offered_at=now,
            offer_expires_at=now + timedelta(hours=24),
            claim_token=secrets.token_urlsafe(16),
        )
        database.session.add(entry)
        database.session.flush()
        return waitlist.claim(entry.claim_token, **common, **confirm)
    if path == "reschedule":
        # An existing place on an earlier date of the same course, to move from.
        origin = world.session(days=4)
        old = Booking(
            reference=secrets.token_hex(4).upper(),
            session_id=origin.id,
            user_id=person.id,
            status=BookingStatus.CONFIRMED,
            fee_pence=0,
            created_at=now,
            confirmed_at=now,
            referral_id=referral.id if referral is not None else None,
        )
        database.session.add(old)
        if referral is not None:
            referral.status = ReferralStatus.BOOKED
        database.session.flush()
        return rescheduling.reschedule(
            old.id,
            target.id,
            person,
            now=now,
            min_notice_hours=48,
            hold_minutes=30,
            base_url="http://test",
            policy=factories.ENDING_POLICY,
            **confirm,
        )
    raise AssertionError(path)


def refused(path, world, target, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        take(path, world, target, **kwargs)
    return caught.value.code


def _active_on(target):
    return (
        database.session.query(Booking)
        .filter(Booking.session_id == target.id, Booking.status != BookingStatus.CANCELLED)
        .all()
    )


@pytest.mark.parametrize("path", ALL_PATHS)
def test_women_only_needs_the_persons_confirmation_on_every_path(db, path):
    world = World()
    referral = world.referral()
    target = world.session(women_only=True)
    assert refused(path, world, target, referral=referral) == "women_only_unconfirmed"
    assert _active_on(target) == []


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_confirmed_women_only_place_is_taken_on_every_path(db, path):
    world = World()
    referral = world.referral()
    target = world.session(women_only=True)
    booking = take(path, world, target, referral=referral, women_only_confirmed=True)
    assert booking.session_id == target.id
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("path", ALL_PATHS)
def test_the_seat_is_linked_to_the_referral_on_every_path(db, path):
    world = World()
    referral = world.referral()
    booking = take(path, world, world.session(), referral=referral)
    assert booking.referral_id == referral.id
    database.session.refresh(referral)
    assert referral.status == ReferralStatus.BOOKED


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_session_ending_after_the_referral_deadline_is_refused_on_every_path(db, path):
    world = World()
    referral = world.referral(deadline_days=7)
    late = world.session(days=9)
    assert refused(path, world, late, referral=referral) == "referral_deadline"
    assert _active_on(late) == []


@pytest.mark.parametrize("path", ("catalogue", "referral", "waitlist"))
def test_a_second_place_for_one_referral_is_refused_on_every_path(db, path):
    world = World()
    referral = world.referral()
    first = world.session(days=5)
    take("referral", world, first, referral=referral)
    second = world.session(days=12)
    assert refused(path, world, second, referral=referral) == "referral_already_booked"
    assert _active_on(second) == []


@pytest.mark.parametrize("path", OPEN_PATHS)
def test_a_referral_only_course_needs_a_referral_on_every_path(db, path):
    world = World(referral_required=True)
    target = world.session()
    assert refused(path, world, target) == "referral_required"
    assert _active_on(target) == []


@pytest.mark.parametrize("path", ALL_PATHS)
def test_the_schemes_fee_is_charged_on_every_path(db, path):
    world = World(fee_pence=3000)
    scheme = Scheme(force_id=world.force.id, name="Diversion scheme", fee_pence=0)
    database.session.add(scheme)
    database.session.flush()
    referral = world.referral(scheme_id=scheme.id)
    booking = take(path, world, world.session(), referral=referral)
    assert booking.fee_pence == 0
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("path", OPEN_PATHS)
def test_without_a_scheme_the_course_fee_is_charged_on_every_path(db, path):
    world = World(fee_pence=4500)
    booking = take(path, world, world.session())
    assert booking.fee_pence == 4500
    assert booking.status == BookingStatus.AWAITING_PAYMENT


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_full_session_is_refused_on_every_path(db, path):
    world = World()
    referral = world.referral()
    target = world.session(capacity=1)
    attendee.book_and_confirm(
        target.id, factories.user(), now=_now(), hold_minutes=30, base_url="http://test"
    )
    assert refused(path, world, target, referral=referral) == "full"


def test_an_offer_held_for_the_person_is_their_seat(db):
    world = World()
    target = world.session(capacity=1)
    booking = take("waitlist", world, target)
    assert booking.status == BookingStatus.CONFIRMED
    assert len(_active_on(target)) == 1


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_session_that_has_started_is_refused_on_every_path(db, path):
    world = World()
    referral = world.referral()
    target = world.session(days=10)
    later = target.starts_at + timedelta(minutes=5)
    # Move the clock, not the session: the reschedule's origin is then in the past too.
    code = refused(path, world, target, referral=referral, now=later)
    assert code in ("session_started", "reschedule_too_late")


def test_a_referred_person_booking_from_the_catalogue_is_told_why_a_session_does_not_fit(db):
    world = World()
    referral = world.referral(deadline_days=7)
    other_area = factories.course_session(
        course_type_row=world.course, starts_at=_now() + timedelta(days=3)
    )
    assert refused("catalogue", world, other_area, referral=referral) == "referral_area"
    assert refused("catalogue", world, world.session(days=9)) == "referral_deadline"
    booking = take("catalogue", world, world.session(days=3))
    assert booking.referral_id == referral.id


def test_another_course_open_to_all_is_booked_without_the_referral(db):
    world = World()
    world.referral()
    peer_support = factories.course_type()
    other = factories.course_session(course_type_row=peer_support, venue_row=world.venue)
    booking = take("catalogue", world, other)
    assert booking.referral_id is None


def test_the_deadline_is_the_end_of_the_deadline_day_in_london(db):
    world = World()
    referral = world.referral(deadline_days=10)
    deadline_evening = datetime.combine(referral.deadline, time(18, 0), tzinfo=UTC)
    target = factories.course_session(
        course_type_row=world.course,
        venue_row=world.venue,
        starts_at=deadline_evening - timedelta(hours=2),
    )
    assert take("referral", world, target, referral=referral).referral_id == referral.id


def test_nobody_joins_a_waiting_list_for_a_place_they_could_not_take(db):
    world = World()
    world.referral(deadline_days=7)
    late_and_full = world.session(days=9, capacity=1)
    attendee.book_and_confirm(
        late_and_full.id, factories.user(), now=_now(), hold_minutes=30, base_url="http://test"
    )
    with pytest.raises(DomainError) as caught:
        waitlist.join(late_and_full.id, world.person, now=_now())
    assert caught.value.code == "referral_deadline"
    assert database.session.query(WaitingListEntry).count() == 0
