"""Who can book what, said before anyone fills in a form: "Needs a police referral" in words,
a question that shows a person only what they can book, and women-only groups they can book
first."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import AttendeeProfile, CourseSession, CourseType, Role, User
from tests.browser.conftest import PASSWORD, sign_in, unique_email

pytestmark = pytest.mark.browser


def _referral_only_session(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(CourseType.referral_required.is_(True))
            .order_by(CourseSession.starts_at)
        )


def test_referral_only_sessions_say_so_and_offer_no_form(new_page, live_server):
    page = new_page(width=360)
    page.goto("/sessions?course_type=drug-awareness")
    cards = page.locator(".session-card")
    expect(cards.first).to_contain_text("Needs a police referral")
    expect(page.get_by_text("Cost: Free")).to_have_count(0)
    cards.first.get_by_role("link").click()
    expect(page.get_by_text("Needs a police referral")).to_be_visible()
    expect(page.get_by_role("link", name="Book", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Book with your police reference").click()
    page.get_by_role("heading", name="Book with your reference").wait_for()

    # Even by its address, the details form is not offered for a session it would be refused.
    page.goto(f"/sessions/{_referral_only_session(live_server)}/your-details")
    expect(page.get_by_text("Needs a police referral")).to_be_visible()
    expect(page.get_by_label("Your first name, or a name we can use")).to_have_count(0)


def test_a_person_not_referred_is_shown_only_what_they_can_book(new_page):
    page = new_page(width=360, javascript=False)
    page.goto("/")
    page.get_by_label("No: show only sessions anyone can book").check()
    page.get_by_role("button", name="Show sessions").click()
    expect(page.locator(".session-card").first).to_be_visible()
    expect(page.get_by_text("Needs a police referral")).to_have_count(0)
    # Every session listed can be booked through to the end without a refusal.
    page.locator(".session-card").first.get_by_role("link").click()
    expect(page.get_by_role("link", name="Book", exact=True)).to_be_visible()


def test_women_only_groups_the_person_can_book_come_first(new_page, live_server):
    email = unique_email()
    with live_server.app.app_context():
        with unit_of_work():
            person = User(email=email, role=Role.ATTENDEE, first_name="Nadia")
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.flush()
            db.session.add(
                AttendeeProfile(user_id=person.id, prefers_women_only=True, email_is_safe=True)
            )
    page = new_page(width=360)
    sign_in(page, email)
    page.goto("/sessions")
    first = page.locator(".session-card").first
    expect(first).to_contain_text("Women-only group")
    expect(first).not_to_contain_text("Needs a police referral")
    expect(first.get_by_role("link")).to_have_text(re.compile("Peer support group"))
