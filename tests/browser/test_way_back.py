"""Always a way back: a guest (no password) returns to a booking with its reference and a code
sent to their safe channel; a person with no phone and no email books by post."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, CourseSession, CourseType, Notification, User
from tests.browser.conftest import NEUTRAL_SITE, unique_email

pytestmark = pytest.mark.browser


def _open_session(live_server) -> int:
    """A free session anyone may book."""
    with live_server.app.app_context():
        return db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(
                CourseType.slug == "peer-support",
                CourseSession.women_only.is_(False),
                CourseSession.capacity > 1,
            )
            .order_by(CourseSession.starts_at)
        )


def _latest_code(live_server, email: str) -> str:
    with live_server.app.app_context():
        body = db.session.scalar(
            select(Notification.body)
            .where(Notification.to_address == email, Notification.kind == "access_link")
            .order_by(Notification.id.desc())
        )
    return re.search(r"code: (\d{6})", body).group(1)


def test_a_guest_gets_back_with_the_booking_reference_and_a_code(new_page, live_server):
    email = unique_email()
    page = new_page(width=360)
    page.goto(f"/sessions/{_open_session(live_server)}/your-details")
    page.get_by_label("Your first name, or a name we can use").fill("Ari")
    page.get_by_label("Email address (optional)").fill(email)
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url(re.compile(r"/my/bookings/"))
    booking_url = page.url
    with live_server.app.app_context():
        reference = db.session.scalar(
            select(Booking.reference).join(User).where(User.email == email)
        )
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(NEUTRAL_SITE)

    # Later, on the booking's address: no password is asked for that this person never made.
    page.goto(booking_url)
    page.get_by_role("link", name="Find your booking with your booking reference").click()
    page.get_by_label("Your booking reference").fill(reference.lower())
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_text("we have sent a code to the way you told us is safe")).to_be_visible()
    page.get_by_label("The code we sent you").fill("000000")
    page.get_by_role("button", name="Open my booking").click()
    expect(page.get_by_role("alert")).to_contain_text("That code does not match")
    page.get_by_label("The code we sent you").fill(_latest_code(live_server, email))
    page.get_by_role("button", name="Open my booking").click()
    page.wait_for_url(booking_url)
    expect(page.get_by_text("Confirmed")).to_be_visible()
    expect(page.get_by_text(reference).first).to_be_visible()


def test_an_ended_link_points_to_find_your_booking_not_the_police_reference(new_page):
    page = new_page(width=360)
    page.goto("/referral/link/not-a-real-link")
    page.get_by_role("link", name=re.compile("find your booking")).click()
    page.get_by_role("heading", name="Find your booking").wait_for()
    expect(page.get_by_label("Your booking reference")).to_be_visible()
    expect(page.get_by_label("Your reference number")).to_have_count(0)


def test_someone_with_no_phone_and_no_email_books_by_post(new_page, live_server):
    page = new_page(width=360, javascript=False)
    page.goto(f"/sessions/{_open_session(live_server)}/your-details")
    page.get_by_label("Your first name, or a name we can use").fill("Sol")
    page.get_by_label("Post", exact=True).check()
    address = "c/o Haven Day Centre, 4 Bridge Street, Stevenage SG1 2AB"
    page.get_by_label(re.compile("^Postal address")).fill(address)
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url(re.compile(r"/my/bookings/"))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_text("Confirmed")).to_be_visible()
    expect(page.get_by_text("We will let you know by letter.")).to_be_visible()
    with live_server.app.app_context():
        person = db.session.scalar(
            select(User).where(User.first_name == "Sol").order_by(User.id.desc())
        )
        channels = db.session.scalars(
            select(Notification.channel).where(Notification.user_id == person.id)
        ).all()
    assert [channel.value for channel in channels] == ["letter"]
