"""The whole journey as a new user would try it: staff upload a CSV, a person books by reference
with no account, keeps access by magic link, reschedules, gets mail with a calendar file; a full
session's place goes to a waiting person; a missed deadline shows as "not completed"."""

import io
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from booking.models import Booking, BookingStatus, Role, Scheme, WaitingListEntry, utcnow
from booking.services.bookings import seats as bookings
from booking.web.filters import LONDON
from tests import factories
from tests.integration.test_smtp_delivery import free_port, start_server

pytestmark = pytest.mark.database


def test_referral_journey_end_to_end(app, client, db, auth):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    force = factories.force("hertfordshire")
    course = factories.course_type(slug="drug-awareness")
    db.session.add(
        Scheme(force_id=force.id, name="Diversion", days_to_complete=30, course_types=[course])
    )
    venue = factories.venue(force)
    first = factories.course_session(course_type_row=course, venue_row=venue)
    second = factories.course_session(
        course_type_row=course,
        venue_row=venue,
        starts_at=first.starts_at + timedelta(days=2),
        capacity=2,
    )
    today = utcnow().astimezone(LONDON).date()
    admin = auth.login_as(Role.ADMIN)
    csv_text = (
        "police_reference,first_name,last_name,date_of_birth,email,phone,disposal_type,"
        "course_type,referral_date,deadline\n"
        f"HT-2026-0001,Sam,Taylor,1990-04-01,sam.t@example.org,,community-resolution,"
        f"drug-awareness,{today.isoformat()},\n"
        f"HT-2026-0002,Jo,Smith,1989-01-01,,,community-resolution,drug-awareness,"
        f"{(today - timedelta(days=40)).isoformat()},{(today - timedelta(days=1)).isoformat()}\n"
    )
    uploaded = client.post(
        "/admin/referrals/upload",
        data={"force_id": str(force.id), "file": (io.BytesIO(csv_text.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    auth.logout()

    # A person with no account books by reference.
    found = client.post(
        "/referral/start",
        data={
            "police_reference": "HT-2026-0001",
            "surname": "Taylor",
            "date_of_birth": "1990-04-01",
        },
    )
    assert found.headers["Location"].endswith("/referral/questions")
    assert client.post(f"/referral/sessions/{first.id}/book").status_code == 303
    # They say email is safe (and set a password), then ask for a magic link too.
    client.post(
        "/referral/account",
        data={"email": "sam.t@example.org", "password": "a long password", "email_is_safe": "y"},
    )
    assert client.post("/referral/send-link").status_code == 303
    booking = db.session.query(Booking).one()
    moved = client.post(
        f"/my/bookings/{booking.reference}/reschedule", data={"session_id": second.id}
    )
    assert moved.status_code == 303
    client.post("/account/logout")

    controller, inbox = start_server(port)
    try:
        result = CliRunner().invoke(app.cli, ["send-notifications"], catch_exceptions=False)
    finally:
        controller.stop()
    assert "Sent 2" in result.output
    by_subject = {message["Subject"]: message for message in inbox.messages}
    assert set(by_subject) == {"Your link to manage your booking", "Your booking has been changed"}
    changed = by_subject["Your booking has been changed"]
    assert [part.get_filename() for part in changed.iter_attachments()] == ["booking.ics"]
    for message in inbox.messages:
        text = (message["Subject"] + message["From"]).lower()
        assert not any(word in text for word in ("drug", "alcohol", "police", "awareness"))
    link_body = by_subject["Your link to manage your booking"].get_body(("plain",)).get_content()
    link = re.search(r"http\S+/referral/link/\S+", link_body).group(0)
    path = link.split("127.0.0.1:5000", 1)[-1]
    assert "Continue to my booking" in client.get(path).get_data(as_text=True)
    assert client.post(path).headers["Location"].endswith("/my/bookings")
    client.post("/account/logout")

    # The session fills; a waiting person is offered the place when one frees.
    other, waiting = factories.user(), factories.user()
    other_booking = bookings.book_session(second.id, other, now=utcnow())
    db.session.commit()
    auth.login_as(user=waiting)
    assert client.post(f"/my/sessions/{second.id}/waiting-list").status_code == 303
    auth.logout()
    auth.login_as(user=other)
    client.post(f"/my/bookings/{other_booking.reference}/cancel")
    auth.logout()
    db.session.expire_all()
    assert db.session.query(WaitingListEntry).one().status.value == "offered"

    # The deadline passed for the second referral: the force's report says so.
    CliRunner().invoke(app.cli, ["close-overdue-referrals"], catch_exceptions=False)
    auth.login_as(user=admin)
    start = (today - timedelta(days=60)).isoformat()
    report = client.get(
        f"/admin/referrals/report?force_id={force.id}&start={start}&end={today.isoformat()}"
    ).get_data(as_text=True)
    assert "HT-2026-0002," in report and ",not completed," in report
    assert re.search(r"HT-2026-0001,[^\n]*,booked,", report)
    assert db.session.query(Booking).filter_by(status=BookingStatus.CONFIRMED).count() == 1
