"""Force contacts: their own force's referrals only (form, CSV, status, outcome report), and
nothing of anyone else's, nor needs, payments or help requests."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import AuditEvent, Referral, ReferralStatus, Role, utcnow
from booking.services.referrals import reminders
from tests import factories
from tests.referral_factories import referral

pytestmark = pytest.mark.database


@pytest.fixture
def mine(db):
    force = factories.force()
    other = factories.force()
    course = factories.course_type()
    contact = factories.user(Role.FORCE_CONTACT, force_id=force.id)
    db.session.commit()
    return force, other, course, contact


def test_a_force_contact_sees_only_their_force_referrals(client, auth, db, mine):
    force, other, course, contact = mine
    referral(force, course, police_reference="OURS/1", last_name="Ours")
    referral(other, course, police_reference="THEIRS/1", last_name="Theirs")
    db.session.commit()
    auth.login_as(user=contact)
    page = client.get("/force/")
    assert page.status_code == 200
    assert b"OURS/1" in page.data and b"THEIRS/1" not in page.data
    assert b"Days left" in page.data


def test_a_force_contact_refers_someone_to_their_own_force(client, auth, db, mine):
    force, other, course, contact = mine
    auth.login_as(user=contact)
    today = utcnow().date()
    response = client.post(
        "/force/referrals/new",
        data={
            "police_reference": "NEW/9",
            "first_name": "Ali",
            "last_name": "Jones",
            "date_of_birth": "1991-02-03",
            "course_type": course.slug,
            "referral_date": today.isoformat(),
        },
    )
    assert response.status_code == 303
    row = db.session.scalar(select(Referral).where(Referral.police_reference == "NEW/9"))
    assert row.force_id == force.id


def test_a_bad_referral_form_says_why_and_saves_nothing(client, auth, db, mine):
    force, other, course, contact = mine
    auth.login_as(user=contact)
    response = client.post("/force/referrals/new", data={"first_name": "Ali"})
    assert response.status_code == 400
    assert b"Enter the police reference." in response.data
    assert db.session.scalar(select(Referral.id)) is None


def test_a_force_contact_uploads_a_csv_for_their_force(client, auth, db, mine):
    force, other, course, contact = mine
    auth.login_as(user=contact)
    day = (utcnow().date() - timedelta(days=1)).isoformat()
    csv_text = (
        "police_reference,first_name,last_name,date_of_birth,email,phone,disposal_type,"
        f"course_type,referral_date,deadline\nCSV/1,Max,Lee,1990-01-01,,,,{course.slug},{day},\n"
    )
    response = client.post(
        "/force/referrals/upload",
        data={"file": (io.BytesIO(csv_text.encode()), "referrals.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    row = db.session.scalar(select(Referral).where(Referral.police_reference == "CSV/1"))
    assert row.force_id == force.id


def test_the_outcome_report_holds_only_their_force_and_is_audited(client, auth, db, mine):
    force, other, course, contact = mine
    referral(force, course, police_reference="OURS/2", status=ReferralStatus.WITHDRAWN)
    referral(other, course, police_reference="THEIRS/2")
    db.session.commit()
    auth.login_as(user=contact)
    start = (utcnow().date() - timedelta(days=30)).isoformat()
    end = utcnow().date().isoformat()
    response = client.get(f"/force/report?start={start}&end={end}")
    assert response.status_code == 200
    body = response.data.decode()
    assert "OURS/2" in body and "THEIRS/2" not in body
    # Without a data-sharing agreement, the force's copy holds the minimal fields only.
    assert body.splitlines()[0] == "police_reference,outcome,outcome_date"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "referral.report_downloaded")
    )
    assert event.actor_id == contact.id and event.entity_id == force.id


def test_force_contacts_cannot_open_staff_pages_or_the_api(client, auth, db, mine):
    force, other, course, contact = mine
    auth.login_as(user=contact)
    assert client.get("/admin/referrals/").status_code == 403
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/bookings/ABC/needs").status_code == 403
    assert client.get("/admin/money/waivers").status_code == 403
    # A signed-in session is not an API token.
    assert client.get("/api/v1/referrals").status_code == 401


def test_others_cannot_open_force_pages(client, auth, db, mine):
    auth.login_as(Role.ADMIN)
    assert client.get("/force/").status_code == 403
    auth.logout()
    auth.login_as(Role.ATTENDEE)
    assert client.get("/force/").status_code == 403


def test_a_force_contact_without_a_force_is_refused(client, auth, db):
    contact = factories.user(Role.FORCE_CONTACT)
    db.session.commit()
    auth.login_as(user=contact)
    assert client.get("/force/").status_code == 403


def test_the_force_list_query_count_does_not_grow(client, auth, db, mine, count_queries):
    force, other, course, contact = mine
    referral(force, course)
    db.session.commit()
    auth.login_as(user=contact)
    with count_queries() as few:
        client.get("/force/")
    for _ in range(4):
        referral(force, factories.course_type())
    db.session.commit()
    with count_queries() as many:
        client.get("/force/")
    assert many.count == few.count


def test_the_person_sees_how_many_days_are_left_to_book(client, auth, db):
    person = factories.user()
    referral(
        factories.force(),
        factories.course_type(),
        user_id=person.id,
        deadline=reminders.today_in_uk(utcnow()) + timedelta(days=12),
    )
    db.session.commit()
    auth.login_as(user=person)
    page = client.get("/referral/sessions")
    assert page.status_code == 200
    assert b"You have 12 days left." in page.data


def test_the_force_copy_of_the_report_follows_its_agreement(client, auth, db, mine):
    """Failed before: every force's copy held every column, whatever it had agreed."""
    from booking.services.referrals import sharing

    force, other, course, contact = mine
    completed = referral(force, course, police_reference="OURS/3", status=ReferralStatus.COMPLETED)
    completed.completed_on = utcnow().date()
    sharing.record_agreement(
        force,
        sharing.Terms(
            fields=["outcome_code", "outcome_wording", "deadline"],
            lawful_basis="Law enforcement purposes",
            retention="Six years",
            governance_contact="ig@force.example.uk",
            codes={"completed": ("Outcome 22", "condition met")},
        ),
        by=None,
        now=utcnow(),
    )
    db.session.commit()
    auth.login_as(user=contact)
    start = (utcnow().date() - timedelta(days=30)).isoformat()
    body = client.get(f"/force/report?start={start}&end={utcnow().date()}").data.decode()
    header, line = body.splitlines()[:2]
    assert header == "police_reference,deadline,outcome,outcome_date,outcome_code,outcome_wording"
    assert line.startswith("OURS/3,")
    assert line.endswith(
        f",completed,{completed.completed_on.isoformat()},Outcome 22,condition met"
    )
