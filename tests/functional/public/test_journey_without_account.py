"""Booking and waiting without an account, the check before cancelling, and leaving quickly."""

from sqlalchemy import select

from booking import create_app
from booking.extensions import db as _db
from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    Notification,
    Role,
    User,
    WaitingListEntry,
)
from config import TestConfig
from tests import factories
from tests.referral_factories import make_email_safe, referral


def _details(**extra) -> dict[str, str]:
    data = {"first_name": "Sam", "email": "sam@example.org", "email_is_safe": "y"}
    data.update(extra)
    return data


def _person(db, email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_a_free_place_is_booked_from_the_session_page_without_an_account(client, db):
    course_session = factories.course_session()
    db.session.commit()
    session_page = client.get(f"/sessions/{course_session.id}").get_data(as_text=True)
    assert f'href="/sessions/{course_session.id}/your-details"' in session_page

    details_page = client.get(f"/sessions/{course_session.id}/your-details")
    text = details_page.get_data(as_text=True)
    assert details_page.status_code == 200
    assert "You do not need an account or a password." in text
    assert details_page.headers["Cache-Control"] == "no-store"
    # "Women-only group?" starts at "no preference"; every question can be skipped.
    assert 'checked id="women_only-0" name="women_only" type="radio" value="no_preference"' in text

    response = client.post(
        f"/sessions/{course_session.id}/your-details",
        data=_details(needs_hearing_loop="y"),
    )
    assert response.status_code == 303
    person = _person(db, "sam@example.org")
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    assert response.headers["Location"] == f"/my/bookings/{booking.reference}"
    assert booking.status == BookingStatus.CONFIRMED
    assert person.password_chosen is False
    profile = db.session.scalar(select(AttendeeProfile).where(AttendeeProfile.user_id == person.id))
    assert profile.needs_hearing_loop and profile.email_is_safe
    assert profile.prefers_women_only is False
    kinds = set(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == person.id))
    )
    assert kinds == {"booking_confirmed", "access_link"}

    # This browser is signed in to the booking: reference, link by email, optional account.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your place is booked" in page and booking.reference in page
    assert "Email me a link to my booking" in page
    assert "create an account</a>. It is optional." in page


def test_details_need_a_name_and_a_way_to_reach_the_person(client, db):
    course_session = factories.course_session()
    db.session.commit()
    response = client.post(
        f"/sessions/{course_session.id}/your-details", data={"first_name": "", "email": ""}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a name we can use." in text
    assert "Enter an email address or a phone number" in text
    assert db.session.scalar(select(Booking.id)) is None


def test_a_phone_only_guest_gets_no_email_link(client, db):
    course_session = factories.course_session()
    db.session.commit()
    response = client.post(
        f"/sessions/{course_session.id}/your-details",
        data={"first_name": "Jo", "phone_number": "07700 900123", "text_is_safe": "y"},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Email me a link to my booking" not in page


def test_an_address_with_an_account_is_neither_taken_over_nor_revealed(client, db):
    owner = factories.user(Role.ATTENDEE, email="taken@example.org")
    make_email_safe(owner)
    course_session = factories.course_session()
    db.session.commit()
    response = client.post(
        f"/sessions/{course_session.id}/your-details", data=_details(email="taken@example.org")
    )
    assert response.status_code == 303  # the same answer as for a new address
    assert db.session.scalar(select(Booking.user_id)) != owner.id
    told = db.session.scalars(select(Notification.kind).where(Notification.user_id == owner.id))
    assert list(told) == ["account_exists"]


def test_a_women_only_group_is_confirmed_on_the_details_page(client, db):
    course_session = factories.course_session(women_only=True)
    db.session.commit()
    refused = client.post(f"/sessions/{course_session.id}/your-details", data=_details())
    assert refused.status_code == 400
    assert "This is a women-only group." in refused.get_data(as_text=True)
    assert db.session.scalar(select(User.id).where(User.email == "sam@example.org")) is None
    booked = client.post(
        f"/sessions/{course_session.id}/your-details", data=_details(confirm_women_only="y")
    )
    assert booked.status_code == 303
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Women-only group: only women take part" in page


def test_anyone_can_join_a_full_session_s_waiting_list_from_its_page(client, auth, db):
    venue = factories.venue(name="Riverside Hall")
    full = factories.course_session(capacity=1, venue_row=venue)
    db.session.commit()
    client.post(f"/sessions/{full.id}/your-details", data=_details(email="first@example.org"))
    client.post("/exit")

    page = client.get(f"/sessions/{full.id}").get_data(as_text=True)
    assert f'href="/sessions/{full.id}/waiting-list">Join the waiting list</a>' in page
    joined = client.post(f"/sessions/{full.id}/waiting-list", data=_details())
    assert joined.status_code == 303
    person = _person(db, "sam@example.org")
    entry = db.session.scalar(select(WaitingListEntry).where(WaitingListEntry.user_id == person.id))
    assert entry.session_id == full.id
    listed = client.get(joined.headers["Location"]).get_data(as_text=True)
    assert full.course_type.name in listed and "Riverside Hall" in listed

    # A signed-in person joins with one button.
    client.post("/exit")
    auth.login_as(Role.ATTENDEE)
    page = client.get(f"/sessions/{full.id}").get_data(as_text=True)
    assert f'action="/my/sessions/{full.id}/waiting-list"' in page
    assert ">Join the waiting list</button>" in page


def test_cancelling_asks_first_and_says_what_happens_to_the_money(client, auth, db):
    course_session = factories.course_session()
    person = auth.login_as(Role.ATTENDEE)
    client.post(f"/my/sessions/{course_session.id}/book", data={})
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert f'href="/my/bookings/{booking.reference}/cancel"' in page
    check = client.get(f"/my/bookings/{booking.reference}/cancel").get_data(as_text=True)
    assert "Cancel your booking?" in check
    assert "You have not paid anything, so there is no money to give back." in check
    assert "No, keep my booking" in check
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED  # looking changes nothing
    client.post(f"/my/bookings/{booking.reference}/cancel")
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED


def test_exit_signs_out_and_asks_the_browser_to_forget_the_site(client, auth, db):
    auth.login_as(Role.ATTENDEE)
    assert client.get("/my/bookings").status_code == 200
    response = client.get("/exit")
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="0;url=https://www.bbc.co.uk/weather">' in (
        response.get_data(as_text=True)
    )
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    after = client.get("/my/bookings")
    assert after.status_code == 302 and after.headers["Location"].startswith("/account/login")


def test_footer_phone_and_email_can_be_tapped_and_there_is_a_favicon(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="tel:+448081570192"' in page  # CONTACT_PHONE, 0808 157 0192 by default
    assert 'href="mailto:help@waypoint.example.org"' in page
    assert 'role="region" aria-label="Leave this site quickly"' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"
    icon.close()


def test_a_fee_to_pay_lists_other_ways_to_pay(client, auth, db):
    paid = factories.course_session(course_type_row=factories.course_type(default_fee_pence=3000))
    person = auth.login_as(Role.ATTENDEE)
    client.post(f"/my/sessions/{paid.id}/book", data={})
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "Other ways to pay" in page
    assert "By phone" in page and "By bank transfer" in page
    assert f"Use your booking reference, {booking.reference}" in page


def test_the_confirmation_says_when_and_where_with_a_calendar_file(client, db):
    venue = factories.venue(name="Riverside Hall")
    course_session = factories.course_session(venue_row=venue)
    online = factories.course_session(online=True, online_join_url="https://meet.example.org/x")
    db.session.commit()
    client.post(f"/sessions/{course_session.id}/your-details", data=_details())
    person = _person(db, "sam@example.org")
    message = db.session.scalar(
        select(Notification).where(
            Notification.user_id == person.id, Notification.kind == "booking_confirmed"
        )
    )
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    assert "Riverside Hall" in message.body and booking.reference in message.body
    assert "BEGIN:VCALENDAR" in message.ics_attachment

    client.post("/exit")
    booked = client.post(
        f"/sessions/{online.id}/your-details", data=_details(email="o@example.org")
    )
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert 'href="https://meet.example.org/x"' in page
    assert "Please join a few minutes early" in page and "arrive 10 minutes early" not in page


def test_a_referral_booking_shows_its_deadline(client, db):
    force, course = factories.force(), factories.course_type()
    case = referral(force, course, police_reference="DL-1", last_name="Okafor")
    place = factories.course_session(course_type_row=course, venue_row=factories.venue(force))
    db.session.commit()
    client.post(
        "/referral/start",
        data={"police_reference": "DL-1", "surname": "Okafor", "date_of_birth": "1990-04-01"},
    )
    booked = client.post(f"/referral/sessions/{place.id}/book")
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Your deadline" in page
    assert case.deadline.strftime("%-d %B %Y") in page


def test_new_guests_from_one_address_are_limited_but_mistakes_are_not(database_url):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
    )
    with app.app_context():
        course_session = factories.course_session(capacity=20)
        _db.session.commit()
        url = f"/sessions/{course_session.id}/your-details"
    # Each request gets its own app context, as in production (no signed-in user carried over).
    mistaken = app.test_client()
    for _ in range(4):  # mistakes do not count
        assert mistaken.post(url, data={"first_name": ""}).status_code == 400
    for number in range(2):
        data = _details(email=f"guest{number}@example.org")
        assert app.test_client().post(url, data=data).status_code == 303
    refused = app.test_client().post(url, data=_details(email="guest9@example.org"))
    assert refused.status_code == 429
    with app.app_context():
        assert _db.session.scalar(select(User.id).where(User.email == "guest9@example.org")) is None
        _db.session.remove()
        _db.engine.dispose()
