"""Changing a session: limits on the new time, people and trainers told, trainer rules checked
again; leave over an assigned session takes the trainer off it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    AuditEvent,
    CourseSession,
    Notification,
    Role,
    SessionAssignment,
    utcnow,
)
from booking.web.filters import LONDON
from tests import factories
from tests.referral_factories import make_email_safe
from tests.trainer_factories import assign, confirmed_booking, trainer_profile

pytestmark = pytest.mark.database


def _edit_form(course_session, starts_at):
    local = starts_at.astimezone(LONDON)
    return {
        "course_type_id": course_session.course_type_id,
        "venue_id": course_session.venue_id,
        "date": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_time": (local + timedelta(hours=2)).strftime("%H:%M"),
        "capacity": "8",
    }


def _soon(days, hour=10):
    moment = (utcnow() + timedelta(days=days)).astimezone(LONDON)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _notices(kind):
    return {
        n.user_id: n
        for n in db.session.scalars(select(Notification).where(Notification.kind == kind))
    }


def test_a_session_cannot_be_moved_into_the_past_or_years_ahead(client, db, auth):
    course_session = factories.course_session(starts_at=_soon(7))
    original = course_session.starts_at
    auth.login_as(Role.ADMIN)
    url = f"/admin/sessions/{course_session.id}/edit"
    past = client.post(url, data=_edit_form(course_session, _soon(-2)))
    assert past.status_code == 400
    assert "cannot be moved into the past" in past.text
    far = client.post(url, data=_edit_form(course_session, _soon(800)))
    assert far.status_code == 400
    assert "at most two years ahead" in far.text
    db.session.expire_all()
    assert db.session.get(CourseSession, course_session.id).starts_at == original


def test_moving_a_session_tells_the_people_booked_and_its_trainer(client, db, auth):
    course_session = factories.course_session(starts_at=_soon(7))
    person = factories.user(first_name="Gail")
    make_email_safe(person)
    booking = confirmed_booking(course_session, person)
    trainer = trainer_profile(course_types=[course_session.course_type], covers_online=True)
    trainer.forces = [course_session.venue.force]
    assign(course_session, trainer)
    auth.login_as(Role.ADMIN)
    response = client.post(
        f"/admin/sessions/{course_session.id}/edit",
        data=_edit_form(course_session, _soon(8, hour=14)),
        follow_redirects=True,
    )
    assert "sent to 1 person booked and 1 trainer" in response.text
    notices = _notices("session_changed")
    assert set(notices) == {person.id}
    assert set(_notices("trainer_session_changed")) == {trainer.user_id}
    to_person = notices[person.id]
    assert booking.reference in to_person.body and "2:00pm" in to_person.body
    for word in ("police", "drug", "alcohol", course_session.course_type.name.lower()):
        assert word not in to_person.subject.lower()
        assert word not in to_person.body.lower()


def test_a_move_that_breaks_a_trainer_rule_takes_them_off_and_shows_the_conflict(client, db, auth):
    course_session = factories.course_session(starts_at=_soon(7))
    trainer = trainer_profile(course_types=[course_session.course_type])
    trainer.forces = [course_session.venue.force]
    assign(course_session, trainer)
    other = factories.course_session(starts_at=_soon(9), course_type_row=course_session.course_type)
    assign(other, trainer)
    auth.login_as(Role.ADMIN)
    response = client.post(
        f"/admin/sessions/{course_session.id}/edit",
        data=_edit_form(course_session, _soon(9)),  # the same time as their other session
        follow_redirects=True,
    )
    assert f"Trainer conflict: {trainer.name} was taken off this session" in response.text
    assert "another session too close" in response.text
    assigned = db.session.scalars(
        select(SessionAssignment.session_id).where(SessionAssignment.trainer_id == trainer.id)
    ).all()
    assert assigned == [other.id]
    assert "no longer on it" in _notices("trainer_session_changed")[trainer.user_id].body
    short = client.get("/admin/trainers/short").text
    assert f"/admin/trainers/sessions/{course_session.id}" in short


def test_leave_over_an_assigned_session_takes_the_trainer_off_and_shows_it_short(client, db, auth):
    course_session = factories.course_session(starts_at=_soon(5))
    later = factories.course_session(starts_at=_soon(20))
    me = trainer_profile()
    assign(course_session, me)
    assign(later, me)
    auth.login_as(Role.ADMIN)
    assert "Every upcoming session has enough trainers" in client.get("/admin/trainers/short").text
    auth.logout()

    auth.login_as(user=me.user)
    start = course_session.starts_at.astimezone(LONDON).date()
    response = client.post(
        "/trainer/availability/leave",
        data={
            "starts_at": f"{start.isoformat()}T00:00",
            "ends_at": f"{(start + timedelta(days=2)).isoformat()}T00:00",
            "reason": "Sick",
        },
        follow_redirects=True,
    )
    assert "taken off 1 session during that time" in response.text
    assigned = db.session.scalars(
        select(SessionAssignment.session_id).where(SessionAssignment.trainer_id == me.id)
    ).all()
    assert assigned == [later.id]
    [removed] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.removed")
    ).all()
    assert (removed.entity_id, removed.actor_id) == (course_session.id, me.user_id)
    assert "no longer down to deliver" in _notices("trainer_released")[me.user_id].body
    auth.logout()

    auth.login_as(Role.ADMIN)
    short = client.get("/admin/trainers/short").text
    assert f"/admin/trainers/sessions/{course_session.id}" in short
    assert f"/admin/trainers/sessions/{later.id}" not in short
