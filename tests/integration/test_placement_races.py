"""Races through two different entry paths for one referral: never two places for it."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest

from booking.models import ACTIVE_STATES, Booking, utcnow
from tests import factories
from tests.referral_factories import referral as make_referral

pytestmark = pytest.mark.database
ROUNDS = 3


def _signed_in_client(app, email):
    client = app.test_client()
    with app.app_context():
        response = client.post(
            "/account/login", data={"email": email, "password": factories.PASSWORD}
        )
    assert response.status_code == 302
    return client


def test_catalogue_and_referral_bookings_racing_for_one_referral_take_one_place(app, db):
    for _ in range(ROUNDS):
        force = factories.force()
        venue = factories.venue(force)
        course = factories.course_type()
        person = factories.user()
        referral = make_referral(force, course, user_id=person.id)
        start = utcnow().replace(microsecond=0) + timedelta(days=5)
        first = factories.course_session(course_type_row=course, venue_row=venue, starts_at=start)
        second = factories.course_session(
            course_type_row=course, venue_row=venue, starts_at=start + timedelta(days=2)
        )
        ids = dict(first=first.id, second=second.id, referral=referral.id, person=person.id)
        email = person.email
        db.session.commit()
        barrier = Barrier(2)

        def from_catalogue(ids=ids, barrier=barrier, email=email):
            client = _signed_in_client(app, email)
            barrier.wait()
            with app.app_context():
                return client.post(f"/my/sessions/{ids['first']}/book").status_code

        def by_referral(ids=ids, barrier=barrier, email=email):
            client = _signed_in_client(app, email)
            barrier.wait()
            with app.app_context():
                return client.post(f"/referral/sessions/{ids['second']}/book").status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(from_catalogue), pool.submit(by_referral)]
            statuses = [future.result() for future in futures]
        assert all(status < 500 for status in statuses), statuses

        db.session.rollback()
        active = (
            db.session.query(Booking)
            .filter(Booking.user_id == ids["person"], Booking.status.in_(ACTIVE_STATES))
            .all()
        )
        assert len(active) == 1
        assert active[0].referral_id == ids["referral"]
