"""Staff see who is lost: the funnel on the dashboard and its own page (chart, table, CSV), and
each referral's contact timeline."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from booking.models import BookingStatus, ContactStep, Role, utcnow
from booking.services.bookings import seats
from booking.services.outreach import plan
from booking.services.referrals import lookup
from tests import factories
from tests.referral_factories import referral

pytestmark = pytest.mark.database

# Referrals made in May 2031: the funnel page is asked for that month.
MADE_ON = date(2031, 5, 12)
MAY = "?start=2031-05-01&end=2031-05-31"


def _referrals(count: int):
    force = factories.force()
    course = factories.course_type()
    rows = [
        referral(force, course, referral_date=MADE_ON, deadline=date(2031, 8, 1))
        for _ in range(count)
    ]
    for row in rows:
        row.created_at = datetime(2031, 5, 12, 10, 0, tzinfo=UTC)
    return force, course, rows


def _book(db, row, *, attended: bool = False):
    person = lookup.attendee_for_referral(row, now=utcnow())
    course_session = factories.course_session(
        course_type_row=row.course_type, venue_row=factories.venue(row.force)
    )
    booking = seats.place_booking(course_session.id, person, now=utcnow(), referral=row)
    booking.confirmed_at = datetime(2031, 5, 14, 10, 0, tzinfo=UTC)
    if attended:
        booking.status = BookingStatus.ATTENDED
    db.session.commit()
    return booking


def test_the_funnel_page_counts_each_stage_and_the_csv_says_the_same(client, auth, db):
    _, _, rows = _referrals(3)
    _book(db, rows[0], attended=True)
    _book(db, rows[1])
    auth.login_as(Role.SCHEDULER)

    page = client.get(f"/admin/referrals/funnel{MAY}")
    assert page.status_code == 200
    assert "<svg" in page.text and 'id="funnel-table"' in page.text
    csv_answer = client.get(f"/admin/referrals/funnel.csv{MAY}")
    assert csv_answer.mimetype == "text/csv"
    lines = csv_answer.text.splitlines()
    assert lines[0].startswith("force,scheme,month,referred,contacted,booked,attended,completed")
    total = lines[-1].split(",")
    # 3 referred; 2 reached (they booked); 2 booked; 1 attended; 0 completed; 1 lost before
    # contact; 2.0 days from arrival to booking.
    assert total[3:8] == ["3", "2", "2", "1", "0"]
    assert total[8] == "1"
    assert total[-1] == "2.0"


def test_the_funnel_page_reads_the_same_number_of_statements_for_more_referrals(
    client, auth, db, count_queries
):
    _, _, rows = _referrals(2)
    _book(db, rows[0])
    auth.login_as(Role.SCHEDULER)
    client.get(f"/admin/referrals/funnel{MAY}")
    with count_queries() as few:
        client.get(f"/admin/referrals/funnel{MAY}")
    _, _, more = _referrals(12)
    for row in more[:5]:
        _book(db, row)
    with count_queries() as many:
        client.get(f"/admin/referrals/funnel{MAY}")
    assert many.count == few.count


def test_the_dashboard_funnel_moves_as_the_person_books_and_attends(client, auth, db):
    force = factories.force()
    row = referral(force, factories.course_type())  # made a few days ago
    db.session.commit()
    auth.login_as(Role.SCHEDULER)

    def stage(name: str) -> str:
        page = client.get("/admin/").text
        return page.split(f'<th scope="row">{name}</th><td>', 1)[1].split("<", 1)[0]

    assert (stage("Referred"), stage("Booked"), stage("Attended")) == ("1", "0", "0")
    booking = _book(db, row)
    assert (stage("Booked"), stage("Attended")) == ("1", "0")
    booking.status = BookingStatus.ATTENDED
    db.session.commit()
    assert stage("Attended") == "1"


def test_a_referrals_page_shows_its_contact_timeline(client, auth, db):
    force = factories.force()
    row = referral(
        force,
        factories.course_type(),
        contact_phone="07700 900123",
        referral_date=MADE_ON,
        deadline=date(2031, 8, 1),
    )
    row.created_at = datetime(2031, 5, 23, 15, 0, tzinfo=UTC)
    plan.start_plan(row, now=row.created_at)
    plan.run_due_steps(
        now=datetime(2031, 5, 27, 8, 0, tzinfo=UTC),
        rule=plan.parse_rule("2 text"),
        link_for=lambda person: "https://waypoint.example/link",
    )
    db.session.commit()
    auth.login_as(Role.SCHEDULER)

    page = client.get(f"/admin/referrals/{row.id}/contact")

    assert page.status_code == 200
    assert "1: first" in page.text and "Tuesday 27 May 2031, 9:00am" in page.text
    assert ">call<" in page.text and "no safe way to write" in page.text
    assert "2: text" in page.text and "not yet" in page.text
    steps = db.session.scalars(select(ContactStep)).all()
    assert len(steps) == 2
    assert client.get("/admin/referrals/999999/contact").status_code == 404


def _unreached(db, **fields):
    force = factories.force()
    row = referral(
        force,
        factories.course_type(),
        contact_phone="07700 900123",
        referral_date=MADE_ON,
        **fields,
    )
    row.created_at = datetime(2031, 5, 23, 15, 0, tzinfo=UTC)
    plan.start_plan(row, now=row.created_at)
    plan.run_due_steps(
        now=datetime(2031, 5, 27, 8, 0, tzinfo=UTC),
        rule=plan.parse_rule(""),
        link_for=lambda person: "https://waypoint.example/link",
    )
    db.session.commit()
    return row


def test_people_not_reached_are_listed_fewest_days_left_first_with_actions(client, auth, db):
    later = _unreached(db, police_reference="LATER/1", deadline=date(2031, 8, 1))
    sooner = _unreached(db, police_reference="SOONER/1", deadline=date(2031, 7, 1))
    auth.login_as(Role.SCHEDULER)

    page = client.get("/admin/referrals/gaps").text

    assert page.index("SOONER/1") < page.index("LATER/1")
    assert "Not reached yet" in page
    assert "/admin/contact/calls/" in page  # the call task's outcome, one click
    assert f"/admin/referrals/{sooner.id}/send-link" in page
    assert f"/admin/people/referrals/{later.id}/person" in page


def test_sending_a_link_to_someone_with_no_safe_written_channel_is_refused(client, auth, db):
    row = _unreached(db, deadline=date(2031, 8, 1))
    auth.login_as(Role.SCHEDULER)

    response = client.post(f"/admin/referrals/{row.id}/send-link", follow_redirects=True)

    assert "safe" in response.text
    steps = db.session.scalars(select(ContactStep)).all()
    assert len(steps) == 1  # nothing sent
