"""Trainer pages: own sessions only, need-to-know rosters, attendance, certificates, feed."""

from sqlalchemy import select

from booking.models import AuditEvent, Booking, BookingStatus, CourseSession, SessionStatus
from tests import factories
from tests.trainer_factories import (
    assign,
    confirmed_booking,
    started_session,
    trainer_profile,
)


def test_trainer_home_lists_only_their_sessions(client, db, auth):
    mine, theirs = factories.course_session(), factories.course_session()
    me, other = trainer_profile(), trainer_profile()
    assign(mine, me)
    assign(theirs, other)
    auth.login_as(user=me.user)
    page = client.get("/trainer/").get_data(as_text=True)
    assert f"/trainer/sessions/{mine.id}" in page
    assert f"/trainer/sessions/{theirs.id}" not in page


def test_roster_shows_first_name_and_session_needs_only(client, db, auth):
    session = factories.course_session(women_only=True)
    me = trainer_profile()
    assign(session, me)
    person = factories.user(first_name="Robert", last_name="Secretsurname")
    booking = confirmed_booking(
        session,
        person,
        preferred_name="Bobbie",
        needs_step_free=True,
        interpreter_language="Polish",
        needs_childcare=True,
        phone_number="07700900123",
        other_needs="private note",
    )
    auth.login_as(user=me.user)
    response = client.get(f"/trainer/sessions/{session.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bobbie" in page
    assert "Step-free access" in page and "Interpreter: Polish" in page
    assert "Women-only group" in page
    for secret in (
        "Secretsurname",
        person.email,
        booking.reference,
        "07700900123",
        "private note",
        "Childcare",
    ):
        assert secret not in page
    viewed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "roster.viewed")
    ).all()
    assert [e.entity_id for e in viewed] == [session.id]


def test_trainer_cannot_open_another_trainers_roster(client, db, auth):
    session = factories.course_session()
    confirmed_booking(session, factories.user(first_name="Hidden"))
    assign(session, trainer_profile())
    me = trainer_profile()
    auth.login_as(user=me.user)
    for url in (
        f"/trainer/sessions/{session.id}",
        f"/trainer/sessions/{session.id}?print=1",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Hidden" not in response.get_data(as_text=True)
    assert client.post(f"/trainer/sessions/{session.id}/close").status_code == 404
    assert client.post(f"/trainer/sessions/{session.id}/attendance").status_code == 404


def test_attendance_then_close_completes_bookings_and_gives_a_certificate(client, db, auth):
    session = started_session()
    me = trainer_profile()
    assign(session, me)
    came = confirmed_booking(session, factories.user(first_name="Ada"))
    left = confirmed_booking(session, factories.user(first_name="Bea"))
    away = confirmed_booking(session, factories.user(first_name="Cai"))
    auth.login_as(user=me.user)
    # Closing before everyone is marked is refused and changes nothing.
    client.post(f"/trainer/sessions/{session.id}/close", headers={"Referer": "/trainer/"})
    assert db.session.get(CourseSession, session.id).status == SessionStatus.SCHEDULED
    response = client.post(
        f"/trainer/sessions/{session.id}/attendance",
        data={
            f"attendance-{came.id}": "attended",
            f"attendance-{left.id}": "left_early",
            f"attendance-{away.id}": "did_not_attend",
        },
    )
    assert response.status_code == 303
    response = client.post(f"/trainer/sessions/{session.id}/close")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(CourseSession, session.id).status == SessionStatus.DELIVERED
    assert db.session.get(Booking, came.id).status == BookingStatus.ATTENDED
    assert db.session.get(Booking, left.id).status == BookingStatus.NO_SHOW
    assert db.session.get(Booking, away.id).status == BookingStatus.NO_SHOW

    auth.logout()
    auth.login_as(user=came.user)
    booking_page = client.get(f"/my/bookings/{came.reference}").get_data(as_text=True)
    assert f"/my/certificates/{came.reference}" in booking_page
    certificate = client.get(f"/my/certificates/{came.reference}")
    assert certificate.status_code == 200
    assert "Certificate of completion" in certificate.get_data(as_text=True)
    assert client.get(f"/my/certificates/{left.reference}").status_code == 404  # not theirs
    auth.logout()
    auth.login_as(user=left.user)
    assert client.get(f"/my/certificates/{left.reference}").status_code == 404  # left early


def test_calendar_feed_needs_the_current_secret(client, db, auth):
    session = factories.course_session()
    me = trainer_profile()
    assign(session, me)
    old_token = me.calendar_token
    response = client.get(f"/trainer/calendar/{old_token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in response.get_data(as_text=True)
    assert session.course_type.name in response.get_data(as_text=True)
    assert client.get("/trainer/calendar/not-the-token.ics").status_code == 404
    auth.login_as(user=me.user)
    assert client.post("/trainer/calendar/reset").status_code == 303
    assert client.get(f"/trainer/calendar/{old_token}.ics").status_code == 404
    db.session.refresh(me)
    assert me.calendar_token != old_token
    assert client.get(f"/trainer/calendar/{me.calendar_token}.ics").status_code == 200


def test_trainer_adds_and_removes_weekly_availability(client, db, auth):
    me = trainer_profile()
    auth.login_as(user=me.user)
    response = client.post(
        "/trainer/availability/slots", data={"weekday": "1", "starts": "09:00", "ends": "17:00"}
    )
    assert response.status_code == 303
    page = client.get("/trainer/availability").get_data(as_text=True)
    assert "Tuesday 09:00 to 17:00" in page
    bad = client.post(
        "/trainer/availability/slots",
        data={"weekday": "1", "starts": "17:00", "ends": "09:00"},
        headers={"Referer": "/trainer/availability"},
    )
    assert bad.status_code == 303
    db.session.refresh(me)
    assert sorted(s.starts.hour for s in me.weekly_slots if s.weekday == 1) == [
        0,
        9,
    ]  # no 17:00 slot


def test_printable_roster_and_query_count_independent_of_attendees(client, db, auth, count_queries):
    session = factories.course_session()
    me = trainer_profile()
    assign(session, me)
    session_id = session.id  # read now: the test's own session must not query while counting
    confirmed_booking(session, factories.user(first_name="Ada"), needs_hearing_loop=True)
    auth.login_as(user=me.user)
    printable = client.get(f"/trainer/sessions/{session.id}?print=1")
    assert printable.status_code == 200
    assert "Ada" in printable.get_data(as_text=True)
    assert "Hearing loop" in printable.get_data(as_text=True)
    with count_queries() as few:
        client.get(f"/trainer/sessions/{session_id}")
    for name in ("Bo", "Cy", "Di", "Ed", "Fay"):
        confirmed_booking(session, factories.user(first_name=name), needs_step_free=True)
    db.session.commit()
    with count_queries() as many:
        page = client.get(f"/trainer/sessions/{session_id}").get_data(as_text=True)
    assert "Fay" in page
    assert many.count == few.count


def test_trainer_records_time_off(client, db, auth):
    me = trainer_profile()
    auth.login_as(user=me.user)
    response = client.post(
        "/trainer/availability/leave",
        data={"starts_at": "2030-06-01T00:00", "ends_at": "2030-06-08T00:00", "reason": "Holiday"},
    )
    assert response.status_code == 303
    db.session.refresh(me)
    assert [(u.starts_at.day, u.ends_at.day, u.reason) for u in me.unavailability] == [
        (31, 7, "Holiday")  # stored in UTC: midnight in June in London is 23:00 the day before
    ]
    backwards = client.post(
        "/trainer/availability/leave",
        data={"starts_at": "2030-06-08T00:00", "ends_at": "2030-06-01T00:00"},
        headers={"Referer": "http://localhost/trainer/availability"},
    )
    assert backwards.status_code == 303
    db.session.refresh(me)
    assert len(me.unavailability) == 1
