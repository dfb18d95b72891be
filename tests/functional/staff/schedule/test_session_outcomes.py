"""Outcomes on time: closing a session moves each referral at once; attendance is recorded
only from the session's start; staff correct a closed session with a reason."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import (
    AttendanceRecord,
    AttendanceStatus,
    AuditEvent,
    Booking,
    BookingStatus,
    Notification,
    Referral,
    ReferralStatus,
    Role,
    utcnow,
)
from booking.services.referrals import lookup as referrals
from booking.services.trainers import rosters
from booking.web.filters import LONDON
from tests import factories
from tests.referral_factories import make_email_safe, referral
from tests.trainer_factories import (
    assign,
    confirmed_booking,
    started_session,
    trainer_profile,
)

pytestmark = pytest.mark.database


def _referred_booking(session, force, course, first_name, **fields):
    person = factories.user(first_name=first_name)
    row = referral(force, course, status=ReferralStatus.BOOKED, user_id=person.id, **fields)
    booking = confirmed_booking(session, person)
    booking.referral_id = row.id
    return row, booking


def _closed_by_trainer(client, auth, session, marks):
    me = trainer_profile()
    assign(session, me)
    auth.login_as(user=me.user)
    data = {f"attendance-{booking.id}": mark for booking, mark in marks}
    assert client.post(f"/trainer/sessions/{session.id}/attendance", data=data).status_code == 303
    assert client.post(f"/trainer/sessions/{session.id}/close").status_code == 303
    auth.logout()


def _report(client, force):
    today = utcnow().date()
    start, end = (today - timedelta(days=30)).isoformat(), today.isoformat()
    response = client.get(f"/admin/referrals/report?force_id={force.id}&start={start}&end={end}")
    assert response.status_code == 200
    return {line.split(",")[0]: line.split(",") for line in response.text.splitlines()[1:]}


def test_closing_a_session_completes_the_referral_in_the_report_the_same_day(client, db, auth):
    force, course = factories.force(), factories.course_type()
    session = started_session(course_type_row=course, venue_row=factories.venue(force))
    came, came_booking = _referred_booking(session, force, course, "Ada", police_reference="P-1")
    _closed_by_trainer(client, auth, session, [(came_booking, "attended")])

    auth.login_as(Role.ADMIN)
    row = _report(client, force)["P-1"]
    assert row[3] == "completed"
    assert row[4] == session.starts_at.astimezone(LONDON).date().isoformat()
    db.session.expire_all()
    assert db.session.get(Referral, came.id).closed_at is not None


def test_a_missed_session_keeps_the_referral_open_with_a_calm_offer_to_rebook(client, db, auth):
    force, course = factories.force(), factories.course_type()
    here = factories.venue(force)
    session = started_session(course_type_row=course, venue_row=here)
    factories.course_session(course_type_row=course, venue_row=here)  # another date in time
    missed, booking = _referred_booking(session, force, course, "Bea", police_reference="P-2")
    make_email_safe(booking.user)
    _closed_by_trainer(client, auth, session, [(booking, "did_not_attend")])

    db.session.expire_all()
    assert db.session.get(Referral, missed.id).status == ReferralStatus.OPEN
    [offer] = db.session.scalars(
        select(Notification).where(Notification.kind == "referral_rebook")
    ).all()
    assert "choose another date" in offer.body
    for word in ("police", "drug", "alcohol"):
        assert word not in offer.subject.lower() and word not in offer.body.lower()
    auth.login_as(Role.ADMIN)
    assert _report(client, force)["P-2"][3] == "open"


def test_attendance_cannot_be_recorded_before_the_session_starts(client, db, auth):
    session = factories.course_session(
        starts_at=(utcnow() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    )
    booking = confirmed_booking(session, factories.user(first_name="Cai"))
    me = trainer_profile()
    assign(session, me)
    auth.login_as(user=me.user)
    page = client.get(f"/trainer/sessions/{session.id}").text
    assert "Cai" in page
    assert "Save attendance" not in page
    assert "once the session has started" in page
    response = client.post(
        f"/trainer/sessions/{session.id}/attendance",
        data={f"attendance-{booking.id}": "attended"},
        headers={"Referer": f"/trainer/sessions/{session.id}"},
    )
    assert response.status_code == 303
    assert db.session.scalars(select(AttendanceRecord)).all() == []
    follow = client.get(response.headers["Location"]).text
    assert "Attendance can be recorded once the session has started" in follow


def test_staff_correct_a_closed_session_and_the_referral_and_certificate_follow(client, db, auth):
    force, course = factories.force(), factories.course_type()
    session = started_session(course_type_row=course, venue_row=factories.venue(force))
    row, booking = _referred_booking(session, force, course, "Dee", police_reference="P-4")
    _closed_by_trainer(client, auth, session, [(booking, "attended")])
    admin = auth.login_as(Role.ADMIN)
    url = f"/admin/sessions/{session.id}/attendance/{booking.id}"
    page = client.get(f"/admin/sessions/{session.id}").text
    assert "Correct attendance for Dee" in page

    # Without a reason nothing changes.
    client.post(url, data={"status": "did_not_attend", "reason": ""})
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.ATTENDED

    response = client.post(url, data={"status": "did_not_attend", "reason": "Marked the wrong Dee"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.NO_SHOW
    assert db.session.get(Referral, row.id).status == ReferralStatus.OPEN
    assert db.session.get(Referral, row.id).completed_on is None
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attendance.corrected")
    ).all()
    assert (event.actor_id, event.detail["reason"]) == (admin.id, "Marked the wrong Dee")
    assert _report(client, force)["P-4"][3] == "open"
    auth.logout()
    auth.login_as(user=booking.user)
    assert client.get(f"/my/certificates/{booking.reference}").status_code == 404

    auth.logout()
    auth.login_as(user=admin)
    client.post(url, data={"status": "attended", "reason": "She was there after all"})
    db.session.expire_all()
    assert db.session.get(Referral, row.id).status == ReferralStatus.COMPLETED
    auth.logout()
    auth.login_as(user=booking.user)
    assert client.get(f"/my/certificates/{booking.reference}").status_code == 200


def test_a_correction_after_the_deadline_makes_the_referral_not_completed(client, db, auth):
    force, course = factories.force(), factories.course_type()
    session = started_session(course_type_row=course, venue_row=factories.venue(force))
    row, booking = _referred_booking(
        session, force, course, "Eve", deadline=utcnow().date() - timedelta(days=1)
    )
    _closed_by_trainer(client, auth, session, [(booking, "attended")])
    auth.login_as(Role.ADMIN)
    client.post(
        f"/admin/sessions/{session.id}/attendance/{booking.id}",
        data={"status": "left_early", "reason": "Left after ten minutes"},
    )
    db.session.expire_all()
    assert db.session.get(Referral, row.id).status == ReferralStatus.NOT_COMPLETED


def test_after_a_missed_session_the_person_can_book_another_date(db):
    force, course = factories.force(), factories.course_type()
    here = factories.venue(force)
    session = started_session(course_type_row=course, venue_row=here)
    next_date = factories.course_session(course_type_row=course, venue_row=here)
    row, booking = _referred_booking(session, force, course, "Fin")
    trainer = trainer_profile()
    rosters.mark_attendance(
        session, {booking.id: AttendanceStatus.DID_NOT_ATTEND}, by=trainer.user, now=utcnow()
    )
    rosters.close_session(session, by=trainer.user, now=utcnow())
    assert row.status == ReferralStatus.OPEN

    again = referrals.book_for_referral(
        row.id, next_date.id, booking.user, now=utcnow(), hold_minutes=30, base_url=""
    )
    assert again.session_id == next_date.id
    assert row.status == ReferralStatus.BOOKED


def test_left_early_shows_as_left_early_in_the_sessions_bookings_table(client, db, auth):
    force, course = factories.force(), factories.course_type()
    session = started_session(course_type_row=course, venue_row=factories.venue(force))
    _, left = _referred_booking(session, force, course, "Cal", police_reference="P-9")
    _, missed = _referred_booking(session, force, course, "Dee", police_reference="P-10")
    _closed_by_trainer(client, auth, session, [(left, "left_early"), (missed, "did_not_attend")])
    auth.login_as(Role.ADMIN)

    page = client.get(f"/admin/sessions/{session.id}").get_data(as_text=True)

    table = page[page.index("Bookings for this session") : page.index("</table>")]
    assert "Cal" in table and "Left early" in table
    assert "Did not attend" in table and "No show" not in table
