"""Evidence for commissioners: every figure equals a count from the raw tables, groups under 5
are hidden, and the page runs the same number of statements whatever the data size."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from booking.models import Referral, ReferralStatus, Role, utcnow
from booking.services.referrals import evidence
from tests import factories
from tests.referral_factories import referral

pytestmark = pytest.mark.database


def _referrals(force, course, count, *, status=ReferralStatus.OPEN, born=date(1990, 4, 1)):
    today = utcnow().date()
    rows = []
    for _ in range(count):
        row = referral(force, course, status=status, date_of_birth=born)
        if status == ReferralStatus.COMPLETED:
            row.completed_on = today
        rows.append(row)
    return rows


def test_each_figure_equals_a_raw_count_and_small_groups_are_hidden(db):
    force, other = factories.force(), factories.force()
    course = factories.course_type()
    _referrals(force, course, 6, status=ReferralStatus.COMPLETED)
    _referrals(force, course, 2, status=ReferralStatus.NOT_COMPLETED, born=date(1966, 1, 1))
    _referrals(force, course, 1, status=ReferralStatus.WITHDRAWN)
    _referrals(other, course, 3)
    db.session.commit()
    today = utcnow().date()
    start, end = today - timedelta(days=30), today

    figures = evidence.report(force.id, start, end)

    def raw(*where):
        return db.session.scalar(
            select(func.count(Referral.id)).where(
                Referral.force_id == force.id,
                Referral.referral_date >= start,
                Referral.referral_date <= end,
                *where,
            )
        )

    assert figures.referred == raw() == 9
    assert figures.completed == raw(Referral.status == ReferralStatus.COMPLETED) == 6
    assert figures.not_completed == raw(Referral.status == ReferralStatus.NOT_COMPLETED)
    assert figures.withdrawn == raw(Referral.status == ReferralStatus.WITHDRAWN)
    assert figures.completed_before_deadline == raw(
        Referral.status == ReferralStatus.COMPLETED, Referral.completed_on <= Referral.deadline
    )
    assert figures.median_days_to_completion == 3  # referred 3 days ago, completed today
    # Seven people aged 35–44 are shown; two aged 55–64 are fewer than 5, so hidden.
    assert figures.age_bands["35–44"] == 7
    assert figures.age_bands["55–64"] is None
    assert ("age 55–64", "fewer than 5") in evidence.as_csv_rows(figures)
    everyone = evidence.report(None, start, end)
    assert everyone.referred == 12
    # Hooks for figures other parts of Waypoint will measure.
    assert figures.first_contact_days is None and figures.help_to_attend_spend_pence is None


def test_the_page_and_csv_show_the_figures_in_constant_statements(client, auth, db, count_queries):
    force = factories.force()
    course = factories.course_type()
    _referrals(force, course, 5, status=ReferralStatus.COMPLETED)
    db.session.commit()
    auth.login_as(Role.ADMIN)
    url = f"/admin/referrals/evidence?force_id={force.id}"
    page = client.get(url)
    assert page.status_code == 200
    assert b"<svg" in page.data and b"Completed 5" in page.data
    with count_queries() as small:
        client.get(url)
    _referrals(force, course, 40, status=ReferralStatus.COMPLETED)
    db.session.commit()
    with count_queries() as large:
        client.get(url)
    assert large.count == small.count
    csv_text = client.get(f"/admin/referrals/evidence.csv?force_id={force.id}").text
    assert "stage: completed,45" in csv_text
    assert "median days to first contact,not yet measured" in csv_text
    bad = client.get("/admin/referrals/evidence?start=nonsense&end=2026-01-01")
    assert bad.status_code == 200 and b"Enter dates like 2026-04-01" in bad.data
