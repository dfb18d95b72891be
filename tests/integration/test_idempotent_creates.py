"""Ten creates racing with one Idempotency-Key are one request: one referral, and every caller
gets the same 201 (none a 409 or 422)."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import func, select

from booking.models import Referral
from tests import factories
from tests.force_helpers import bearer, force_with_token, referral_body

pytestmark = pytest.mark.database
CALLERS = 10


def test_concurrent_creates_with_one_key_all_get_the_same_201(app, db):
    _, token = force_with_token()
    course = factories.course_type()
    db.session.commit()
    body = referral_body(course.slug)
    headers = {**bearer(token), "Idempotency-Key": "burst-1"}
    barrier = Barrier(CALLERS)

    def create(_):
        client = app.test_client()
        barrier.wait()
        with app.app_context():
            response = client.post("/api/v1/referrals", json=body, headers=headers)
        answer = response.get_json() or {}
        return response.status_code, answer.get("id", answer.get("detail"))

    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        answers = list(pool.map(create, range(CALLERS)))

    db.session.rollback()
    assert db.session.scalar(select(func.count(Referral.id))) == 1
    made = db.session.scalar(select(Referral.id))
    assert answers == [(201, made)] * CALLERS
