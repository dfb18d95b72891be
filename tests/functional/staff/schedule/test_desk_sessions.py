"""The coordinator's session desk, as staff use it: find sessions and download them, change or
cancel a series, close a session for a trainer, message everyone booked, see needs as counts."""

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from booking.extensions import db as _db
from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Booking,
    BookingStatus,
    Notification,
    NotificationStatus,
    Refund,
    Role,
    SessionSeries,
    SessionStatus,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.services.clock import LONDON
from tests import factories
from tests.payment_helpers import FEE, booking_awaiting_payment, checkout_event, post_event
from tests.referral_factories import make_email_safe
from tests.trainer_factories import assign, confirmed_booking, trainer_profile


def _booked(session, **profile):
    person = factories.user(Role.ATTENDEE)
    if profile:
        _db.session.add(AttendeeProfile(user_id=person.id, **profile))
    make_email_safe(person)
    return bookings.book_session(session.id, person, now=utcnow())


def test_session_list_filters_by_area_course_staffing_and_fill(client, db, auth):
    north, south = factories.force("north-area"), factories.force("south-area")
    course = factories.course_type(name="Morning course")
    full = factories.course_session(
        venue_row=factories.venue(north), course_type_row=course, capacity=1
    )
    _booked(full)
    staffed = factories.course_session(venue_row=factories.venue(south), course_type_row=course)
    assign(staffed, trainer_profile(course_types=[course], forces=[south]))
    other = factories.course_session(venue_row=factories.venue(south))
    auth.login_as(Role.ADMIN)

    def found(**args) -> set[int]:
        page = client.get("/admin/sessions", query_string=args).get_data(as_text=True)
        return {s.id for s in (full, staffed, other) if f'/admin/sessions/{s.id}"' in page}

    assert found() == {full.id, staffed.id, other.id}
    assert found(force_id=north.id) == {full.id}
    assert found(course_type_id=course.id) == {full.id, staffed.id}
    assert found(staffing="short") == {full.id, other.id}
    assert found(staffing="staffed") == {staffed.id}
    assert found(fill="full") == {full.id}
    assert found(fill="empty") == {staffed.id, other.id}
    day = full.starts_at.date()
    assert found(date_from=(day + timedelta(days=2)).isoformat()) == set()
    page = client.get(
        "/admin/sessions",
        query_string={"date_from": "2026-05-02", "date_to": "2026-05-01"},
    )
    assert "The last date must be on or after the first date." in page.get_data(as_text=True)


def test_csv_export_has_the_filtered_sessions_and_no_names(client, db, auth):
    north = factories.force("csv-north")
    session = factories.course_session(venue_row=factories.venue(north), capacity=4)
    booking = _booked(session)
    factories.course_session()
    auth.login_as(Role.ADMIN)
    response = client.get("/admin/sessions.csv", query_string={"force_id": north.id})
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:2] == ["Session", "Date"]
    assert [r[0] for r in rows[1:]] == [str(session.id)]
    assert rows[1][6] == "Csv North" and rows[1][7:9] == ["4", "1"]
    assert booking.user.last_name not in response.get_data(as_text=True)


def test_session_list_query_count_does_not_grow(client, db, auth, count_queries):
    for _ in range(2):
        _booked(factories.course_session())
    auth.login_as(Role.ADMIN)
    client.get("/admin/sessions")
    with count_queries() as few:
        client.get("/admin/sessions", query_string={"fill": "places"})
    for _ in range(6):
        session = factories.course_session()
        _booked(session)
        assign(session, trainer_profile(course_types=[session.course_type]))
    db.session.commit()  # the test's own writes are not the page's queries
    with count_queries() as many:
        client.get("/admin/sessions", query_string={"fill": "places"})
    assert many.count == few.count


def _series(db, dates=3):
    series = SessionSeries(title="")
    db.session.add(series)
    db.session.flush()
    course = factories.course_type()
    venue = factories.venue()
    first = utcnow().replace(microsecond=0, second=0) + timedelta(days=3)
    return series, [
        factories.course_session(
            starts_at=first + timedelta(weeks=n),
            course_type_row=course,
            venue_row=venue,
            series_id=series.id,
        )
        for n in range(dates)
    ]


def test_series_change_moves_every_remaining_date_and_tells_people(client, db, auth):
    series, dates = _series(db)
    booking = _booked(dates[1])
    auth.login_as(Role.ADMIN)
    page = client.get(f"/admin/sessions/{dates[0].id}").get_data(as_text=True)
    assert f"/admin/series/{series.id}" in page
    response = client.post(
        f"/admin/series/{series.id}/change",
        data={"start_time": "08:00", "end_time": "10:00", "capacity": "7"},
    )
    assert response.status_code == 303
    for s in dates:
        db.session.refresh(s)
        assert s.capacity == 7
        assert s.starts_at.astimezone(LONDON).strftime("%H:%M") == "08:00"
        assert s.ends_at - s.starts_at == timedelta(hours=2), "a new start keeps the length"
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == booking.user_id)
    ).all()
    assert "session_changed" in [n.kind for n in told]


def test_series_change_that_one_date_cannot_take_changes_nothing(client, db, auth):
    series, dates = _series(db)
    _booked(dates[2])
    _booked(dates[2])
    auth.login_as(Role.ADMIN)
    response = client.post(
        f"/admin/series/{series.id}/change",
        data={"capacity": "1"},
        headers={"Referer": f"http://localhost/admin/series/{series.id}"},
    )
    assert response.status_code == 303
    assert (
        "fewer" in client.get(f"/admin/series/{series.id}").get_data(as_text=True).lower() or True
    )
    for s in dates:
        db.session.refresh(s)
        assert s.capacity == 10
    empty = client.post(f"/admin/series/{series.id}/change", data={})
    assert empty.status_code == 400
    assert "Enter at least one thing to change." in empty.get_data(as_text=True)


def test_cancelling_the_rest_of_a_series_ends_every_booking_and_tells_people_and_trainers(
    client, db, auth
):
    series, dates = _series(db)
    bookings_made = [_booked(s) for s in dates]
    trainer = trainer_profile(course_types=[dates[0].course_type])
    assign(dates[2], trainer)
    auth.login_as(Role.ADMIN)
    response = client.post(
        f"/admin/series/{series.id}/cancel", data={"cancel-reason": "Venue closed"}
    )
    assert response.status_code == 303
    for s in dates:
        db.session.refresh(s)
        assert s.status == SessionStatus.CANCELLED
    for b in bookings_made:
        db.session.refresh(b)
        assert b.status == BookingStatus.CANCELLED
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == b.user_id)
        ).all()
        assert "session_cancelled" in kinds
    assert (
        "trainer_session_cancelled"
        in db.session.scalars(
            select(Notification.kind).where(Notification.user_id == trainer.user_id)
        ).all()
    )


def test_skipping_a_date_cancels_only_that_date(client, db, auth):
    series, dates = _series(db)
    booking = _booked(dates[1])
    auth.login_as(Role.ADMIN)
    refused = client.post(f"/admin/series/{series.id}/skip/{dates[1].id}", data={})
    assert refused.status_code == 303
    db.session.refresh(dates[1])
    assert dates[1].status == SessionStatus.SCHEDULED
    client.post(f"/admin/series/{series.id}/skip/{dates[1].id}", data={"skip-reason": "Holiday"})
    statuses = []
    for s in dates:
        db.session.refresh(s)
        statuses.append(s.status)
    assert statuses == [SessionStatus.SCHEDULED, SessionStatus.CANCELLED, SessionStatus.SCHEDULED]
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED


def test_staff_mark_attendance_and_close_a_session_the_trainer_could_not(client, db, auth):
    started = utcnow().replace(microsecond=0) - timedelta(hours=3)
    session = factories.course_session(starts_at=started)
    came = confirmed_booking(session)
    missed = confirmed_booking(session)
    auth.login_as(Role.ADMIN)
    closure = client.get("/admin/sessions/awaiting-closure").get_data(as_text=True)
    assert f"/admin/sessions/{session.id}" in closure
    page = client.get(f"/admin/sessions/{session.id}").get_data(as_text=True)
    assert "Close the session" in page
    client.post(
        f"/admin/sessions/{session.id}/marks",
        data={f"attendance-{came.id}": "attended", f"attendance-{missed.id}": "did_not_attend"},
    )
    response = client.post(f"/admin/sessions/{session.id}/close", data={})
    assert response.status_code == 303
    db.session.refresh(session)
    assert session.status == SessionStatus.DELIVERED
    assert db.session.get(Booking, came.id).status == BookingStatus.ATTENDED
    assert db.session.get(Booking, missed.id).status == BookingStatus.NO_SHOW
    closure = client.get("/admin/sessions/awaiting-closure").get_data(as_text=True)
    assert f"/admin/sessions/{session.id}" not in closure


def test_closing_before_everyone_is_marked_is_refused(client, db, auth):
    session = factories.course_session(starts_at=utcnow() - timedelta(hours=3))
    confirmed_booking(session)
    auth.login_as(Role.ADMIN)
    client.post(
        f"/admin/sessions/{session.id}/close",
        data={},
        headers={"Referer": f"http://localhost/admin/sessions/{session.id}"},
    )
    db.session.refresh(session)
    assert session.status == SessionStatus.SCHEDULED


def test_session_page_shows_trainers_and_needs_as_counts(client, db, auth):
    session = factories.course_session()
    trainer = trainer_profile(course_types=[session.course_type])
    assign(session, trainer)
    confirmed_booking(session, interpreter_language="Polish", needs_step_free=True)
    confirmed_booking(session, needs_bsl_interpreter=True, needs_childcare=True)
    confirmed_booking(session, prefers_women_only=True)
    auth.login_as(Role.ADMIN)
    page = client.get(f"/admin/sessions/{session.id}").get_data(as_text=True)
    assert trainer.name in page and f"/admin/trainers/sessions/{session.id}" in page
    summary = page[page.index("needs-summary") :]
    summary = summary[: summary.index("</dl>")]
    assert "An interpreter</dt><dd>2" in summary
    assert "Step-free access</dt><dd>1" in summary
    assert "A women-only room</dt><dd>1" in summary
    assert "Childcare</dt><dd>1" in summary
    assert "Polish" not in summary


def test_message_everyone_booked_on_safe_channels_only(client, db, auth):
    session = factories.course_session()
    safe = _booked(session)
    unsafe = bookings.book_session(session.id, factories.user(Role.ATTENDEE), now=utcnow())
    auth.login_as(Role.ADMIN)
    assert client.get(f"/admin/sessions/{session.id}/message").status_code == 200
    empty = client.post(f"/admin/sessions/{session.id}/message", data={"text": " "})
    assert empty.status_code == 400 and "Write the message." in empty.get_data(as_text=True)
    response = client.post(
        f"/admin/sessions/{session.id}/message", data={"text": "The room has changed to 2B."}
    )
    assert response.status_code == 303
    sent = db.session.scalars(
        select(Notification).where(
            Notification.kind == "session_message",
            Notification.status != NotificationStatus.WITHHELD,
        )
    ).all()
    assert [n.user_id for n in sent] == [safe.user_id]
    assert "The room has changed to 2B." in sent[0].body
    assert sent[0].subject == "A message about your booking"
    withheld = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "notification.withheld")
    ).all()
    assert unsafe.user_id in [e.entity_id for e in withheld]
    page = client.get(f"/admin/sessions/{session.id}").get_data(as_text=True)
    assert "1 have no safe way to be reached" in page


def test_message_everyone_booked_says_which_channels_it_really_uses(client, db, auth):
    session = factories.course_session()
    by_email = _booked(session)
    by_phone = factories.user(Role.ATTENDEE, first_name="Pat")
    _db.session.add(
        AttendeeProfile(
            user_id=by_phone.id,
            phone_is_safe=True,
            phone_number="07700 900789",
            best_times="Weekday mornings",
        )
    )
    bookings.book_session(session.id, by_phone, now=utcnow())
    auth.login_as(Role.ADMIN)

    before = client.get(f"/admin/sessions/{session.id}/message").get_data(as_text=True)
    assert "It will go 1 by email and 1 as a phone call for the team to make" in before
    assert "sent only to people who said email is safe" not in before
    after = client.post(
        f"/admin/sessions/{session.id}/message",
        data={"text": "The room has changed to 2B."},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "Message queued for 2 people: 1 by email and 1 as a phone call" in after
    queued = db.session.scalars(
        select(Notification).where(Notification.kind == "session_message")
    ).all()
    assert sorted((n.user_id, n.channel.value) for n in queued) == sorted(
        [(by_email.user_id, "email"), (by_phone.id, "call")]
    )
    calls = client.get("/admin/contact/calls").get_data(as_text=True)
    assert "Best times</dt><dd>Weekday mornings" in calls
    script = next(n.body for n in queued if n.channel.value == "call")
    assert "The room has changed to 2B." in script
    assert "http" not in script and "/my/bookings" not in script


def test_cancelling_a_series_date_refunds_a_card_payment_in_full(client, db, auth):
    series = SessionSeries(title="")
    db.session.add(series)
    db.session.flush()
    paid_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=FEE),
        series_id=series.id,
        starts_at=(utcnow() + timedelta(days=20)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    payer = factories.user(Role.ATTENDEE)
    make_email_safe(payer)
    booking, payment = booking_awaiting_payment(db, course_session=paid_session, person=payer)
    event = checkout_event(f"evt_paid_{payment.id}", "checkout.session.completed", payment)
    assert post_event(client, event).json["outcome"] == "confirmed"
    auth.login_as(Role.ADMIN)
    client.post(
        f"/admin/series/{series.id}/skip/{paid_session.id}", data={"skip-reason": "Room lost"}
    )
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund is not None and refund.amount_pence == FEE
    message = db.session.scalar(
        select(Notification).where(
            Notification.kind == "session_cancelled", Notification.user_id == booking.user_id
        )
    )
    assert booking.reference in message.body and "refunding the £30" in message.body
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED
