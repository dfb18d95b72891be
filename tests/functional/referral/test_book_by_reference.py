"""Book by police reference: identical answers on any mismatch, only fitting sessions, one
active booking per referral, rate-limited look-ups."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from booking import create_app
from booking.extensions import db as app_db
from booking.models import (
    Booking,
    BookingStatus,
    Notification,
    NotificationStatus,
    Referral,
    ReferralStatus,
    Role,
    utcnow,
)
from config import TestConfig
from tests import factories
from tests.referral_factories import referral

pytestmark = pytest.mark.database


def _lookup(client, reference, surname, born):
    return client.post(
        "/referral/start",
        data={"police_reference": reference, "surname": surname, "date_of_birth": born},
    )


def test_wrong_date_of_birth_and_unknown_reference_give_identical_responses(client, db):
    force = factories.force()
    referral(force, factories.course_type(), police_reference="HT-2026-0001")
    db.session.commit()

    wrong_birth = _lookup(client, "HT-2026-0001", "Taylor", "1990-04-02")
    unknown = _lookup(client, "HT-2026-9999", "Taylor", "1990-04-01")
    wrong_surname = _lookup(client, "HT-2026-0001", "Smith", "1990-04-01")

    assert wrong_birth.status_code == unknown.status_code == wrong_surname.status_code == 200
    assert wrong_birth.get_data() == unknown.get_data() == wrong_surname.get_data()
    assert "We could not open a booking with those details" in unknown.get_data(as_text=True)
    assert "HT-2026" not in unknown.get_data(as_text=True)  # nothing entered is echoed back
    assert db.session.query(Referral).one().user_id is None


def test_match_signs_in_and_shows_only_sessions_that_fit(client, db):
    force, elsewhere = factories.force(), factories.force()
    course = factories.course_type()
    found = referral(
        force, course, police_reference="HT-2026-0001", deadline=utcnow().date() + timedelta(20)
    )
    local = factories.course_session(
        course_type_row=course, venue_row=factories.venue(force), notes="local"
    )
    online = factories.course_session(course_type_row=course, online=True)
    other_area = factories.course_session(
        course_type_row=course, venue_row=factories.venue(elsewhere)
    )
    other_course = factories.course_session(venue_row=factories.venue(force))
    women_only = factories.course_session(
        course_type_row=course, venue_row=factories.venue(force), women_only=True
    )
    too_late = factories.course_session(
        course_type_row=course,
        venue_row=factories.venue(force),
        starts_at=(utcnow() + timedelta(days=30)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    db.session.commit()

    response = _lookup(client, " ht-2026-0001 ", "taylor", "1990-04-01")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/referral/questions")

    page = client.get("/referral/sessions").get_data(as_text=True)
    for fits in (local, online):
        assert f"/referral/sessions/{fits.id}/book" in page
    for unfit in (other_area, other_course, too_late, women_only):
        assert f"/referral/sessions/{unfit.id}/book" not in page

    refused = client.post(f"/referral/sessions/{other_area.id}/book")
    assert refused.status_code in (303, 400)
    assert db.session.query(Booking).count() == 0

    booked = client.post(f"/referral/sessions/{local.id}/book")
    assert booked.status_code == 303
    booking = db.session.query(Booking).one()
    assert booking.referral_id == found.id
    assert booking.status == BookingStatus.CONFIRMED
    db.session.refresh(found)
    assert found.status == ReferralStatus.BOOKED
    # Email was never said to be safe, so no confirmation is queued.
    assert (
        db.session.query(Notification)
        .filter(Notification.status != NotificationStatus.WITHHELD)
        .count()
        == 0
    )
    detail = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "Your place is booked" in detail

    again = client.post(f"/referral/sessions/{online.id}/book", follow_redirects=True)
    assert "You already have a place booked for this referral" in again.get_data(as_text=True)
    assert db.session.query(Booking).count() == 1


def test_database_allows_one_active_booking_per_referral(db):
    force = factories.force()
    course = factories.course_type()
    row = referral(force, course)
    person = factories.user()
    for _ in range(2):
        db.session.add(
            Booking(
                reference=f"R{_}ABCDEF",
                session_id=factories.course_session(course_type_row=course).id,
                user_id=person.id,
                status=BookingStatus.CONFIRMED,
                referral_id=row.id,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_setting_a_password_keeps_access(client, db):
    referral(factories.force(), factories.course_type(), police_reference="AB-1")
    db.session.commit()
    _lookup(client, "AB-1", "Taylor", "1990-04-01")
    response = client.post(
        "/referral/account",
        data={"email": "sam.t@example.org", "password": "a long password", "email_is_safe": "y"},
    )
    assert response.status_code == 303
    client.post("/account/logout")
    login = client.post(
        "/account/login", data={"email": "sam.t@example.org", "password": "a long password"}
    )
    assert login.status_code == 302


def test_lookups_are_rate_limited(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        statuses = [
            _lookup(client, "NOPE", "Nobody", date(2000, 1, 1).isoformat()).status_code
            for _ in range(6)
        ]
        app_db.session.remove()
        app_db.engine.dispose()
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


def test_magic_link_is_not_sent_unless_email_is_safe_and_bad_links_fail(client, db):
    referral(
        factories.force(),
        factories.course_type(),
        police_reference="AB-2",
        contact_email="person@example.org",
    )
    db.session.commit()
    _lookup(client, "AB-2", "Taylor", "1990-04-01")
    response = client.post("/referral/send-link")
    assert response.headers["Location"].endswith("/referral/account")
    assert db.session.query(Notification).count() == 0
    client.post("/account/logout")
    forged = client.get("/referral/link/not-a-real-token")
    assert forged.status_code == 404
    assert "This link has ended" in forged.get_data(as_text=True)
    assert client.post("/referral/link/not-a-real-token").status_code == 404


def test_session_choice_and_staff_list_query_counts_do_not_grow(client, db, auth, count_queries):
    force = factories.force()
    course = factories.course_type()
    referral(force, course, police_reference="AB-3")
    venue = factories.venue(force)
    factories.course_session(course_type_row=course, venue_row=venue)
    db.session.commit()
    _lookup(client, "AB-3", "Taylor", "1990-04-01")

    def measure(path):
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    few = measure("/referral/sessions")
    for _ in range(5):
        factories.course_session(course_type_row=course, venue_row=venue)
        factories.course_session(course_type_row=course, online=True)
    db.session.commit()
    assert measure("/referral/sessions") == few

    client.post("/account/logout")
    auth.login_as(Role.ADMIN)
    few = measure("/admin/referrals/")
    for number in range(5):
        referral(force, factories.course_type(), police_reference=f"AB-9{number}")
    db.session.commit()
    assert measure("/admin/referrals/") == few


def test_the_referral_route_asks_the_same_optional_questions_so_women_only_groups_show(client, db):
    force, course = factories.force(), factories.course_type(name="Pacing course")
    referral(force, course, police_reference="WQ-1", last_name="Okafor")
    women_only = factories.course_session(
        course_type_row=course, venue_row=factories.venue(force), women_only=True
    )
    db.session.commit()
    found = _lookup(client, "WQ-1", "Okafor", "1990-04-01")
    assert found.headers["Location"].endswith("/referral/questions")
    page = client.get("/referral/questions").get_data(as_text=True)
    assert "Skip these questions" in page and "Would you prefer a women-only group?" in page
    assert f"/referral/sessions/{women_only.id}/book" not in client.get("/referral/sessions").text
    saved = client.post("/referral/questions", data={"women_only": "yes", "needs_step_free": "y"})
    assert saved.headers["Location"].endswith("/referral/sessions")
    listed = client.get("/referral/sessions").get_data(as_text=True)
    assert f"/referral/sessions/{women_only.id}/book" in listed
    assert "Pacing course" in listed and "Cost: Free" in listed and "places left" in listed
    # No email address on the referral: no "email me a link".
    assert "Email me a link" not in listed
    again = client.get("/referral/questions").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="yes"', again)


def test_the_person_reads_what_the_police_will_be_told(client, db):
    """Failed before: nothing on the referral route said what the force receives."""
    from booking.services.referrals import sharing

    force = factories.force()
    course = factories.course_type()
    referral(
        force, course, police_reference="HT-2026-0002", deadline=utcnow().date() + timedelta(20)
    )
    sharing.record_agreement(
        force,
        sharing.Terms(
            fields=["outcome_code"],
            lawful_basis="Law enforcement purposes",
            retention="Six years",
            governance_contact="ig@force.example.uk",
            codes={"completed": ("Outcome 22", "condition met")},
        ),
        by=None,
        now=utcnow(),
    )
    db.session.commit()
    _lookup(client, "HT-2026-0002", "taylor", "1990-04-01")
    page = client.get("/referral/sessions").get_data(as_text=True)
    assert (
        "What we tell the police: the police reference, whether you booked, attended or did" in page
    )
    assert "the police code for that outcome" in page
    assert "Nothing else — not your answers, needs or payments." in page
