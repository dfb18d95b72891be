"""The attendee journey in Chromium, found and done by labels and button text only."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    CourseSession,
    CourseType,
    Role,
    User,
    WaitingListEntry,
    utcnow,
)
from booking.services.bookings import seats as bookings
from tests.browser.conftest import NEUTRAL_SITE, PASSWORD, sign_in, unique_email

pytestmark = pytest.mark.browser


def _person(live_server, email: str):
    with live_server.app.app_context():
        person = db.session.scalar(select(User).where(User.email == email))
        profile = db.session.scalar(
            select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
        )
        rows = db.session.scalars(select(Booking).where(Booking.user_id == person.id)).all()
        db.session.expunge_all()
        return person, profile, rows


def _count_page_loads(page) -> list[str]:
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    return loads


def test_four_steps_from_home_to_a_free_booking_without_an_account(new_page, live_server):
    page = new_page(width=360)
    email = unique_email()
    page.goto("/")
    loads = _count_page_loads(page)
    # 1. Search.
    page.get_by_label("Course").select_option(label="Peer support group")
    page.get_by_role("button", name="Show sessions").click()
    # 2. Choose a session: its link names the course and the date.
    page.get_by_role("link", name=re.compile(r"^Peer support group, \w+ \d+")).first.click()
    page.get_by_role("link", name="Book", exact=True).click()
    # 3. Your details: a name and a way to reach me; the other questions can wait.
    page.get_by_role("heading", name="Your details").wait_for()
    expect(page.get_by_label("No preference")).to_be_checked()
    page.get_by_label("Your first name, or a name we can use").fill("Alex")
    page.get_by_label("Email address (optional)").fill(email)
    page.get_by_label("Email", exact=True).check()
    # 4. Confirm.
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="Your place is booked").wait_for()
    page.wait_for_load_state("load")  # the heading can show before the page's load event
    assert len(loads) == 4, loads
    assert "/my/bookings/" in loads[-1]
    expect(page.get_by_text("Confirmed")).to_be_visible()
    expect(page.get_by_text("What happens next")).to_be_visible()
    expect(page.get_by_role("link", name="create an account")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    person, profile, rows = _person(live_server, email)
    assert person.password_chosen is False and profile.email_is_safe
    assert [row.status for row in rows] == [BookingStatus.CONFIRMED]

    # Cancelling asks first, and says what happens to the money.
    page.get_by_role("link", name="Cancel my booking").click()
    page.get_by_role("heading", name="Cancel your booking?").wait_for()
    expect(page.get_by_text("You have not paid anything")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel my booking").click()
    page.get_by_text("Your booking is cancelled. Your place has been released.").wait_for()
    _, _, rows = _person(live_server, email)
    assert [row.status for row in rows] == [BookingStatus.CANCELLED]


def test_phone_without_javascript_women_only_text_not_email_then_exit_and_back(
    new_page, live_server
):
    page = new_page(width=360, javascript=False)
    page.goto("/")
    # A free course open to everyone (awareness courses take referred people only).
    page.get_by_label("Course").select_option(label="Peer support group")
    page.get_by_label("Women-only groups only").check()
    page.get_by_role("button", name="Show sessions").click()
    expect(page.get_by_text("Women-only group", exact=True).first).to_be_visible()
    page.locator(".session-card").first.get_by_role("link").click()
    expect(page.get_by_text("Women-only group", exact=True)).to_be_visible()
    page.get_by_role("link", name="Book", exact=True).click()

    page.get_by_label("Your first name, or a name we can use").fill("Jo")
    page.get_by_label("Text message").check()
    page.get_by_label("Yes, I would prefer a women-only group").check()
    page.get_by_role("button", name="Confirm booking").click()
    # A text needs a number, and a women-only group a tick: the summary says both.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a phone number, or untick phone, text and voicemail.")
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_role("link", name="Enter a phone number, or untick phone").click()
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("alert")).to_contain_text("This is a women-only group.")
    page.get_by_label("I confirm this women-only group is right for me").check()
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="Your place is booked").wait_for()
    expect(page.get_by_text("Women-only group: only women take part")).to_be_visible()
    # No email address: no "email me a link".
    expect(page.get_by_role("button", name="Email me a link to my booking")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    reference = page.locator("dd").first.inner_text()

    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(NEUTRAL_SITE)
    expect(page.get_by_role("heading", name="Weather forecast")).to_be_visible()
    page.go_back()
    # Back shows a sign-in page, not the booking: nothing personal.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shown = page.locator("body").inner_text()
    assert reference not in shown and "Women-only group" not in shown


def test_with_javascript_exit_then_back_shows_nothing_personal(new_page):
    page = new_page(width=360)
    sign_in(page, "has.bookings@example.org")
    page.get_by_role("heading", name="My bookings").wait_for()
    page.get_by_role("link", name=re.compile("Evening workshop")).click()
    page.get_by_role("heading", name="Your booking").wait_for()
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(NEUTRAL_SITE)
    page.go_back()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="My bookings")).to_have_count(0)
    expect(page.get_by_role("heading", name="Your booking")).to_have_count(0)
    assert "Evening workshop" not in page.content()


def test_a_full_session_is_joined_from_its_page_without_javascript(new_page, live_server):
    page = new_page(width=360, javascript=False)
    email = unique_email()
    page.goto("/sessions?course_type=peer-support")
    card = page.locator(".session-card", has_text="Full: you can join the waiting list").first
    card.get_by_role("link").click()
    expect(page.get_by_text("None – this session is full")).to_be_visible()
    page.get_by_role("link", name="Join the waiting list").click()
    page.get_by_role("heading", name="Join the waiting list").wait_for()
    page.get_by_label("Your first name, or a name we can use").fill("Robin")
    page.get_by_label("Email address (optional)").fill(email)
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Join the waiting list").click()
    page.get_by_role("heading", name="My waiting lists").wait_for()
    expect(page.get_by_text("You are on the waiting list.")).to_be_visible()
    # The list names the course, date and venue.
    expect(page.get_by_role("heading", name="Peer support group")).to_be_visible()
    with live_server.app.app_context():
        person = db.session.scalar(select(User).where(User.email == email))
        entries = db.session.scalars(
            select(WaitingListEntry).where(WaitingListEntry.user_id == person.id)
        ).all()
    assert len(entries) == 1


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


def test_a_held_place_can_be_given_more_time_when_running_out(new_page, live_server):
    page = new_page(width=360)
    sign_in(page, "has.bookings@example.org")
    page.get_by_role("link", name="Evening workshop").click()
    expect(page.get_by_role("heading", name=re.compile("Your place is held until"))).to_be_visible()
    page.get_by_role("button", name="Give me 30 more minutes").click()
    page.get_by_text("We have given you 30 more minutes.").wait_for()
    # More than 30 minutes left now: more time is offered again when it is nearly up.
    expect(page.get_by_role("button", name="Give me 30 more minutes")).to_have_count(0)
    expect(page.get_by_text("you can ask for more time when the hold is close")).to_be_visible()


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


def _held_evening_workshop(live_server, email: str, *, seconds: int = 3600) -> None:
    """A person with a held, unpaid place on the paid evening workshop."""
    with live_server.app.app_context():
        with unit_of_work():
            person = User(email=email, role=Role.ATTENDEE, first_name="Kai")
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.flush()
            paid = db.session.scalar(
                select(CourseSession)
                .join(CourseSession.course_type)
                .where(CourseType.slug == "evening-workshop")
            )
            booking = bookings.book_session(paid.id, person, now=utcnow())
            booking.hold_expires_at = utcnow() + timedelta(seconds=seconds)


def test_a_warning_comes_before_a_held_place_runs_out(new_page, live_server):
    email = unique_email()
    _held_evening_workshop(live_server, email, seconds=150)
    page = new_page(width=360)
    sign_in(page, email)
    page.get_by_role("link", name=re.compile("Evening workshop")).click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Your held place runs out in 2 minutes.", timeout=60_000)
    expect(page.get_by_role("button", name="Give me 30 more minutes")).to_be_focused()


def test_asking_the_fund_for_part_of_the_fee_on_a_phone_without_javascript(new_page, live_server):
    email = unique_email()
    _held_evening_workshop(live_server, email)
    page = new_page(width=360, javascript=False)
    sign_in(page, email)
    page.get_by_role("link", name=re.compile("Evening workshop")).click()
    page.get_by_role("link", name="Paying the fee would be hard for me").click()
    page.get_by_label("Money is tight at the moment").check()
    page.get_by_label("Part of it: I can pay some myself").check()
    page.get_by_label("If part: how much should the fund pay, in pounds?").fill("100")
    page.get_by_role("button", name="Ask for help with the fee").click()
    expect(page.get_by_role("alert")).to_contain_text("no more than")  # more than the fee
    page.get_by_label("If part: how much should the fund pay, in pounds?").fill("5")
    page.get_by_role("button", name="Ask for help with the fee").click()
    expect(page.get_by_text("You have asked for help with £5 of the fee")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
