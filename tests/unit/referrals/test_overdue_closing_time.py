"""An overdue referral is closed at the end of its deadline day, however late the job runs, so
the police reference is kept only as long as the retention rule says (counted from closing)."""

from datetime import UTC, date, datetime

import pytest

from booking.models import ReferralStatus
from booking.services.referrals import deadlines
from tests import factories
from tests.referral_factories import referral

pytestmark = pytest.mark.database

DEADLINE = date(2026, 6, 30)  # British Summer Time: the day ends at 23:00 UTC
MONTHS_LATER = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # the job did not run for months


def test_closed_at_is_the_end_of_the_deadline_day_not_when_the_job_ran(db):
    overdue = referral(factories.force(), factories.course_type(), deadline=DEADLINE)
    db.session.commit()

    deadlines.close_overdue(now=MONTHS_LATER)

    assert overdue.status == ReferralStatus.NOT_COMPLETED
    assert overdue.closed_at == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
