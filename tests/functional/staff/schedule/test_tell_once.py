"""Tell people once: an action that touches one person or trainer several times (a series
changed or cancelled, an allocation published) sends each of them one message listing every
change, not one message per date."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import (
    AllocationRun,
    Notification,
    Role,
    SessionSeries,
    utcnow,
)
from booking.web.filters import LONDON, local
from tests import factories
from tests.referral_factories import make_email_safe
from tests.trainer_factories import assign, confirmed_booking, trainer_profile

pytestmark = pytest.mark.database


def _series_of_four(db):
    series = SessionSeries(title="")
    db.session.add(series)
    db.session.flush()
    course, venue = factories.course_type(), factories.venue()
    first = (
        (utcnow() + timedelta(days=3))
        .astimezone(LONDON)
        .replace(hour=10, minute=0, second=0, microsecond=0)
    )
    dates = [
        factories.course_session(
            starts_at=first + timedelta(weeks=week),
            course_type_row=course,
            venue_row=venue,
            series_id=series.id,
        )
        for week in range(4)
    ]
    return series, dates, course, venue


def _booked_on_every_date(dates, person):
    bookings = []
    for number, course_session in enumerate(dates):
        booking = confirmed_booking(course_session, person)
        booking.reference = f"SER{person.id:04d}{number}"
        bookings.append(booking)
    return bookings


def _messages_to(db, user_id):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    ).all()


def test_changing_a_series_of_four_dates_tells_each_trainer_and_person_once(client, db, auth):
    series, dates, course, venue = _series_of_four(db)
    trainer = trainer_profile(course_types=[course], forces=[venue.force])
    person = factories.user(first_name="Ola")
    make_email_safe(person)
    for course_session in dates:
        assign(course_session, trainer)
    _booked_on_every_date(dates, person)
    db.session.flush()
    before = {n.id for n in db.session.scalars(select(Notification))}
    auth.login_as(Role.ADMIN)

    response = client.post(
        f"/admin/series/{series.id}/change", data={"start_time": "11:00", "end_time": "13:00"}
    )

    assert response.status_code == 303
    to_trainer = [n for n in _messages_to(db, trainer.user_id) if n.id not in before]
    to_person = [n for n in _messages_to(db, person.id) if n.id not in before]
    assert [n.kind for n in to_trainer] == ["trainer_sessions_changed"]
    assert [n.kind for n in to_person] == ["sessions_changed"]
    for course_session in dates:
        day = local(course_session.starts_at).strftime("%-d %B")
        assert day in to_trainer[0].body and day in to_person[0].body
    assert to_person[0].body.count("11:00am") == 4


def test_cancelling_the_rest_of_a_series_tells_each_person_once(client, db, auth):
    series, dates, course, venue = _series_of_four(db)
    trainer = trainer_profile(course_types=[course], forces=[venue.force])
    for course_session in dates:
        assign(course_session, trainer)
    person = factories.user(first_name="Pia")
    make_email_safe(person)
    references = [booking.reference for booking in _booked_on_every_date(dates, person)]
    db.session.flush()
    auth.login_as(Role.ADMIN)

    response = client.post(
        f"/admin/series/{series.id}/cancel", data={"cancel-reason": "The venue has closed"}
    )

    assert response.status_code == 303
    told = _messages_to(db, person.id)
    assert [n.kind for n in told] == ["sessions_cancelled"]
    assert all(reference in told[0].body for reference in references)
    to_trainer = _messages_to(db, trainer.user_id)
    assert [n.kind for n in to_trainer] == ["trainer_sessions_cancelled"]
    assert "4 sessions you were down to deliver have been cancelled" in to_trainer[0].body


def test_publishing_an_allocation_tells_each_trainer_once_of_every_new_session(client, db, auth):
    course, area = factories.course_type(), factories.force("devon")
    venue = factories.venue(area)
    start = (utcnow() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    sessions = [
        factories.course_session(
            course_type_row=course, venue_row=venue, starts_at=start + timedelta(days=day)
        )
        for day in range(3)
    ]
    trainer = trainer_profile(course_types=[course], forces=[area])
    auth.login_as(Role.ADMIN)
    today = local(utcnow()).date()
    client.post(
        "/admin/trainers/allocation",
        data={"date_from": today.isoformat(), "date_to": (today + timedelta(days=10)).isoformat()},
    )
    run = db.session.scalars(select(AllocationRun)).one()

    client.post(f"/admin/trainers/allocation/runs/{run.id}/publish")

    told = _messages_to(db, trainer.user_id)
    assert [n.kind for n in told] == ["trainer_rota"]
    assert "You have been added to 3 sessions" in told[0].body
    for course_session in sessions:
        assert local(course_session.starts_at).strftime("%-d %B") in told[0].body
