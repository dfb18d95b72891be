"""Staff referrals: CSV import all-or-nothing, one at a time, overdue closing, outcome report."""

import io
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from booking.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Notification,
    Referral,
    ReferralStatus,
    Role,
    Scheme,
    utcnow,
)
from booking.services.referrals import admin as referral_admin
from booking.services.referrals import lookup as referrals
from booking.web.filters import LONDON
from tests import factories
from tests.referral_factories import make_email_safe, referral

pytestmark = pytest.mark.database

HEADER = (
    "police_reference,first_name,last_name,date_of_birth,email,phone,disposal_type,"
    "course_type,referral_date,deadline\n"
)


def _upload(client, force, text):
    return client.post(
        "/admin/referrals/upload",
        data={"force_id": str(force.id), "file": (io.BytesIO(text.encode()), "referrals.csv")},
        content_type="multipart/form-data",
    )


def _setup(db):
    force = factories.force("hertfordshire")
    course = factories.course_type(slug="drug-awareness")
    db.session.add(
        Scheme(force_id=force.id, name="Diversion", days_to_complete=30, course_types=[course])
    )
    db.session.commit()
    return force, course


def test_csv_with_one_bad_row_imports_nothing_and_names_the_row(client, db, auth):
    force, _ = _setup(db)
    auth.login_as(Role.ADMIN)
    text = HEADER + (
        "HT-1,Sam,Taylor,1990-04-01,,,community-resolution,drug-awareness,2026-01-10,\n"
        "HT-2,Jo,Smith,31/12/1989,,,community-resolution,drug-awareness,2026-01-10,\n"
        "HT-3,Al,Khan,1992-02-02,,,community-resolution,drug-awareness,2026-01-10,\n"
    )
    response = _upload(client, force, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported" in page
    assert "Line 3: date of birth must be a date" in page
    assert "Line 2" not in page and "Line 4" not in page
    assert db.session.query(Referral).count() == 0


def test_good_csv_imports_every_row_with_the_schemes_deadline(client, db, auth):
    force, _ = _setup(db)
    auth.login_as(Role.ADMIN)
    text = HEADER + (
        "HT-1,Sam,Taylor,1990-04-01,,,community-resolution,drug-awareness,2026-01-10,\n"
        "HT-2,Jo,Smith,1989-12-31,,,community-resolution,drug-awareness,2026-01-10,2026-03-01\n"
    )
    response = _upload(client, force, text)
    assert response.status_code == 303
    rows = {row.police_reference: row for row in db.session.query(Referral)}
    assert rows["HT-1"].deadline == date(2026, 2, 9)  # 30 days from the scheme
    assert rows["HT-2"].deadline == date(2026, 3, 1)  # the row's own deadline
    duplicate = _upload(client, force, text)
    assert "Line 2: this police reference is already used" in duplicate.get_data(as_text=True)
    assert db.session.query(Referral).count() == 2


def test_staff_create_one_referral_and_others_cannot(client, db, auth):
    force, _ = _setup(db)
    data = {
        "force_id": str(force.id),
        "police_reference": "HT-9",
        "first_name": "Riley",
        "last_name": "Jones",
        "date_of_birth": "1985-11-23",
        "course_type": "drug-awareness",
        "referral_date": "2026-01-10",
    }
    auth.login_as(Role.ATTENDEE)
    assert client.post("/admin/referrals/new", data=data).status_code == 403
    auth.logout()
    auth.login_as(Role.ADMIN)
    assert client.post("/admin/referrals/new", data=data).status_code == 303
    assert db.session.query(Referral).one().police_reference == "HT-9"
    again = client.post("/admin/referrals/new", data=data)
    # Refused as the force's own page refuses it: a 400 with the reason, nothing saved.
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)
    assert db.session.query(Referral).count() == 1


def test_overdue_referrals_close_once_with_a_notice_and_show_in_the_report(app, client, db, auth):
    force, course = _setup(db)
    today = utcnow().date()
    missed = referral(force, course, police_reference="HT-1", deadline=today - timedelta(days=1))
    person = referrals.attendee_for_referral(missed, now=utcnow())
    make_email_safe(person)
    attended = referral(force, course, police_reference="HT-2", deadline=today - timedelta(days=2))
    past = factories.course_session(
        course_type_row=course, starts_at=utcnow().replace(microsecond=0) - timedelta(days=5)
    )
    db.session.add(
        Booking(
            reference="ATTENDED1",
            session_id=past.id,
            user_id=factories.user().id,
            status=BookingStatus.ATTENDED,
            referral_id=attended.id,
        )
    )
    still_open = referral(force, course, police_reference="HT-3")
    db.session.commit()

    runner = CliRunner()
    first = runner.invoke(app.cli, ["close-overdue-referrals"], catch_exceptions=False)
    second = runner.invoke(app.cli, ["close-overdue-referrals"], catch_exceptions=False)
    assert "Closed 1 as not completed, 1 as completed" in first.output
    assert "Closed 0 as not completed, 0 as completed" in second.output
    db.session.expire_all()
    assert db.session.get(Referral, missed.id).status == ReferralStatus.NOT_COMPLETED
    assert db.session.get(Referral, still_open.id).status == ReferralStatus.OPEN
    notices = db.session.query(Notification).filter_by(kind="referral_overdue").all()
    assert len(notices) == 1
    assert notices[0].subject == "About your booking deadline"

    auth.login_as(Role.ADMIN)
    start, end = (today - timedelta(days=10)).isoformat(), today.isoformat()
    response = client.get(f"/admin/referrals/report?force_id={force.id}&start={start}&end={end}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == (
        "police_reference,referral_date,deadline,outcome,outcome_date,outcome_code,"
        "outcome_wording,completed_on,original_deadline,extension_agreed_by,extension_agreed_on"
    )
    by_reference = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert by_reference["HT-1"][3] == "not completed"
    assert by_reference["HT-2"][3] == "completed"
    assert by_reference["HT-2"][4] == past.starts_at.astimezone(LONDON).date().isoformat()
    assert by_reference["HT-3"][3] == "open"


def test_outcome_report_records_who_downloaded_it(db):
    force, _ = _setup(db)
    admin = factories.user(Role.ADMIN)
    body = referral_admin.outcome_report_csv(
        force, date(2026, 1, 1), date(2026, 1, 31), by=admin, now=utcnow()
    )
    assert body.startswith("police_reference")
    assert db.session.query(AuditEvent).filter_by(action="referral.report_downloaded").count() == 1


def test_withdrawing_a_referral_cancels_its_booking_and_reports_withdrawn(client, db, auth):
    force, course = _setup(db)
    row = referral(force, course, police_reference="HT-7")
    person = referrals.attendee_for_referral(row, now=utcnow())
    course_session = factories.course_session(
        course_type_row=course, venue_row=factories.venue(force)
    )
    referrals.book_for_referral(
        row.id, course_session.id, person, now=utcnow(), hold_minutes=30, base_url="http://t"
    )
    db.session.commit()
    auth.login_as(Role.ADMIN)
    assert "Withdraw HT-7" in client.get("/admin/referrals/").get_data(as_text=True)
    assert client.post(f"/admin/referrals/{row.id}/withdraw").status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, row.id).status == ReferralStatus.WITHDRAWN
    assert db.session.query(Booking).one().status == BookingStatus.CANCELLED
    again = client.post(f"/admin/referrals/{row.id}/withdraw", follow_redirects=True)
    assert "no longer open" in again.get_data(as_text=True)


def test_referral_list_searches_pages_and_links_each_row_to_the_person(client, db, auth):
    force, course = factories.force("kent-area"), factories.course_type()
    person = factories.user(first_name="Nico", last_name="Osei")
    oldest = referral(
        force, course, police_reference="OLD-0001", first_name="Nico", last_name="Osei"
    )
    oldest.user_id = person.id
    for number in range(120):
        referral(force, course, police_reference=f"NEW-{number:04d}", last_name=f"Lane{number}")
    db.session.flush()
    auth.login_as(Role.SCHEDULER)

    first = client.get("/admin/referrals/").get_data(as_text=True)
    assert "121 referrals, page 1 of 3" in first and "NEW-0119" in first
    assert "OLD-0001" not in first and "Next page" in first
    last = client.get("/admin/referrals/?page=3").get_data(as_text=True)
    assert "OLD-0001" in last and "Previous page" in last
    found = client.get("/admin/referrals/?q=osei").get_data(as_text=True)
    assert "1 referral matching" in found and "OLD-0001" in found and "NEW-0001" not in found
    assert f'href="/admin/people/{person.id}"' in found
    unlinked = client.get("/admin/referrals/?q=NEW-0005").get_data(as_text=True)
    assert "/admin/people/?q=NEW-0005" in unlinked and "not set up yet" in unlinked
