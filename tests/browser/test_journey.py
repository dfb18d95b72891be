"""The attendee journey in Chromium, found and done by labels and button text only."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.extensions import db
from booking.models import AttendeeProfile, Booking, BookingStatus, User
from tests.browser.conftest import NEUTRAL_SITE, PASSWORD, sign_in, unique_email

pytestmark = pytest.mark.browser


def _register(page, email: str, *, email_is_safe: bool) -> None:
    page.get_by_label("First name, or the name you would like us to use").fill("Alex")
    page.get_by_label("Email address").fill(email)
    if email_is_safe:
        page.get_by_label("It is safe for us to email you at this address").check()
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same page whether or not the address was new, so the person signs in next.
    page.get_by_role("heading", name="Check your email").wait_for()
    page.get_by_role("link", name="sign in with your email address and password").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _person(live_server, email: str):
    with live_server.app.app_context():
        person = db.session.scalar(select(User).where(User.email == email))
        profile = db.session.scalar(
            select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
        )
        rows = db.session.scalars(select(Booking).where(Booking.user_id == person.id)).all()
        db.session.expunge_all()
        return person, profile, rows


def test_find_book_preferences_confirm_and_cancel(new_page, live_server):
    page = new_page(width=1024)
    email = unique_email()
    page.goto("/")
    page.get_by_label("Course").select_option(label="Peer support group")
    page.get_by_role("button", name="Show sessions").click()
    page.get_by_role("link", name="Peer support group").first.click()
    page.get_by_role("link", name="Book", exact=True).click()

    # Not signed in yet: sign-in page, then create an account, and come straight back.
    page.get_by_role("link", name="Create an account").click()
    _register(page, email, email_is_safe=True)

    # First booking: asked once what is needed and how to make contact.
    page.get_by_role("heading", name="Your needs and how to contact you").wait_for()
    page.get_by_label("No, any group is fine").check()
    page.get_by_label("A hearing loop").check()
    # Registration already asked about email: the answer is shown, not asked again.
    assert page.get_by_label("Email", exact=True).is_checked()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("heading", name="Book a place").wait_for()
    page.get_by_role("button", name="Book this session").click()
    page.get_by_role("heading", name="Your place is booked").wait_for()
    expect(page.get_by_text("Confirmed")).to_be_visible()
    expect(page.get_by_text("What happens next")).to_be_visible()

    _, profile, rows = _person(live_server, email)
    assert profile.needs_hearing_loop and profile.email_is_safe
    assert [row.status for row in rows] == [BookingStatus.CONFIRMED]

    # A second booking does not ask the same questions again.
    page.get_by_role("link", name="Waypoint").click()
    page.get_by_label("Course").select_option(label="Peer support group")
    page.get_by_role("button", name="Show sessions").click()
    page.get_by_role("link", name="Peer support group").nth(1).click()
    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_role("heading", name="Book a place").wait_for()
    page.get_by_role("link", name="My bookings").click()

    page.get_by_role("link", name="Peer support group").first.click()
    page.get_by_role("button", name="Cancel my booking").click()
    page.get_by_text("Your booking is cancelled. Your place has been released.").wait_for()
    _, _, rows = _person(live_server, email)
    assert [row.status for row in rows] == [BookingStatus.CANCELLED]


def test_phone_without_javascript_women_only_text_not_email_then_quick_exit(new_page, live_server):
    page = new_page(width=360, javascript=False)
    email = unique_email()
    page.goto("/")
    # A free course open to everyone (awareness courses take referred people only).
    page.get_by_label("Course").select_option(label="Peer support group")
    page.get_by_label("Women-only groups only").check()
    page.get_by_role("button", name="Show sessions").click()
    expect(page.get_by_text("Women-only group", exact=True).first).to_be_visible()
    page.locator(".session-card").first.get_by_role("link").click()
    expect(page.get_by_text("Women-only group", exact=True)).to_be_visible()
    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_role("link", name="Create an account").click()
    _register(page, email, email_is_safe=False)

    page.get_by_label("Yes, I would prefer a women-only group").check()
    page.get_by_label("Text message").check()
    page.get_by_role("button", name="Save and continue").click()
    # A text needs a number: the error summary says so and links to the field.
    summary = page.get_by_role("alert")
    assert "Enter a phone number, or untick phone, text and voicemail." in summary.inner_text()
    page.get_by_role("link", name="Enter a phone number, or untick phone").click()
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_role("button", name="Save and continue").click()

    # Booking a women-only group asks to confirm it is right for them.
    page.get_by_role("button", name="Book this session").click()
    assert (
        page.get_by_role("alert")
        .get_by_role("link")
        .inner_text()
        .startswith("This is a women-only group.")
    )
    page.get_by_label("I confirm this women-only group is right for me").check()
    page.get_by_role("button", name="Book this session").click()
    page.get_by_role("heading", name="Your place is booked").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    _, profile, rows = _person(live_server, email)
    assert profile.prefers_women_only is True
    assert (profile.email_is_safe, profile.text_is_safe) == (False, True)
    assert [row.status for row in rows] == [BookingStatus.CONFIRMED]

    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(NEUTRAL_SITE)
    expect(page.get_by_role("heading", name="Weather forecast")).to_be_visible()


def test_shift_three_times_leaves_and_back_does_not_return(new_page):
    page = new_page(width=1024)
    page.goto("/")
    page.goto("/accessibility")
    page.get_by_role("heading", name="Accessibility statement").wait_for()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL_SITE)
    page.go_back()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", page.url)


def test_keyboard_reaches_skip_link_then_quick_exit_with_visible_focus(new_page):
    page = new_page(width=1024)
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return [e.textContent.trim(), s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert focused[0] == "Exit this page"
    assert focused[1] == "solid" and focused[2] == "3px" and focused[3] != "none"


def test_a_held_place_can_be_given_more_time_once(new_page, live_server):
    page = new_page(width=360)
    sign_in(page, "has.bookings@example.org")
    page.get_by_role("link", name="Evening workshop").click()
    expect(page.get_by_role("heading", name=re.compile("Your place is held until"))).to_be_visible()
    page.get_by_role("button", name="Give me 30 more minutes").click()
    page.get_by_text("We have given you 30 more minutes.").wait_for()
    expect(page.get_by_role("button", name="Give me 30 more minutes")).to_have_count(0)
    expect(page.get_by_text("You have had extra time already.")).to_be_visible()


@pytest.mark.parametrize("width", [320, 640], ids=["320px", "200-percent-zoom-of-1280px"])
def test_pages_fit_small_and_zoomed_screens(new_page, width):
    page = new_page(width=width)
    for url in ["/", "/sessions", "/accessibility", "/leaving-quickly", "/account/register"]:
        page.goto(url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{url} scrolls sideways: {scroll_width}px wide"


def test_after_a_mistake_focus_moves_to_the_error_summary_without_javascript(new_page):
    page = new_page(width=360, javascript=False)
    page.goto("/account/register")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    # autofocus is applied by the browser a moment after the page is shown: checking focus
    # once, straight after the heading appeared, raced it. expect() waits for it.
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_role("link", name="Enter your email address.").click()
    expect(page.locator("#email")).to_be_focused()
