"""Exit this page, then Back and Forward: nothing a person typed or looked up comes back.

Each form that takes personal details is filled in (and, for the look-up, sent), then "Exit
this page" is pressed; the test goes Back through the history and Forward again, with and
without JavaScript, and at every stop reads what a person could see: the page's text, every
field's value and the page title.
"""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import CourseSession, CourseType, PoliceForce
from tests.browser.conftest import NEUTRAL_SITE
from tests.referral_factories import referral

pytestmark = pytest.mark.browser

SCARED = "I am scared my partner will find out"


def _visible(page) -> str:
    """Everything a person could read here: text, typed values and the title."""
    page.wait_for_load_state()
    return page.evaluate(
        "() => [document.title, document.body ? document.body.innerText : '',"
        " ...Array.from(document.querySelectorAll('input, textarea, select'))"
        ".map(e => e.value)].join('\\n')"
    )


def _walk_history(page, secrets: list[str], *, backs: int = 3) -> list[str]:
    """Go Back ``backs`` times, then Forward as far as it goes; what each stop showed."""
    seen = []
    for _ in range(backs):
        if page.go_back() is None and page.url == "about:blank":
            break
        seen.append(f"{page.url}\n{_visible(page)}")
    for _ in range(backs):
        page.go_forward()
        seen.append(f"{page.url}\n{_visible(page)}")
    for stop in seen:
        for secret in secrets:
            assert secret not in stop, f"{secret!r} visible after Exit:\n{stop}"
    return seen


def _new_referral(live_server, reference: str, surname: str) -> None:
    with live_server.app.app_context():
        with unit_of_work():
            force = db.session.scalars(select(PoliceForce).order_by(PoliceForce.id)).first()
            course = db.session.scalar(
                select(CourseType).where(CourseType.slug == "drug-awareness")
            )
            referral(
                force,
                course,
                police_reference=reference,
                last_name=surname,
                date_of_birth=date(1991, 7, 23),
            )


def _exit(page) -> None:
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(NEUTRAL_SITE)


def _fill_lookup(page, reference: str, surname: str) -> None:
    page.goto("/referral/start")
    page.get_by_label("Your reference number").fill(reference)
    page.get_by_label("Your surname (family name)").fill(surname)
    page.get_by_label("Day").fill("23")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("1991")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_typed_lookup_is_not_shown_again_after_exit(new_page, live_server, javascript):
    reference, surname = f"EXIT-TYPED-{int(javascript)}", "Ashdown"
    _new_referral(live_server, reference, surname)
    page = new_page(width=360, javascript=javascript)
    _fill_lookup(page, reference, surname)
    _exit(page)
    _walk_history(page, [reference, surname, "1991"])


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_after_a_lookup_exit_back_and_find_my_sessions_do_not_sign_in_again(
    new_page, live_server, javascript
):
    reference, surname = f"EXIT-SENT-{int(javascript)}", "Bramwell"
    _new_referral(live_server, reference, surname)
    page = new_page(width=360, javascript=javascript)
    _fill_lookup(page, reference, surname)
    page.get_by_role("button", name="Find my sessions").click()
    page.get_by_role("heading", name="Before you choose a session").wait_for()
    _exit(page)
    _walk_history(page, [reference, surname, "1991"], backs=2)
    # Back to the look-up form, whatever is on it: sending it does not sign in again.
    for _ in range(4):
        page.go_back()
        if "/referral/start" in page.url:
            break
    assert "/referral/start" in page.url, page.url
    page.get_by_role("button", name="Find my sessions").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Before you choose a session")).to_have_count(0)
    page.goto("/my/bookings")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_guest_details_form_is_not_shown_again_after_exit(new_page, live_server, javascript):
    with live_server.app.app_context():
        session_id = db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(CourseType.slug == "family-support", CourseSession.women_only.is_(False))
            .order_by(CourseSession.starts_at)
        )
    page = new_page(width=360, javascript=javascript)
    page.goto(f"/sessions/{session_id}/your-details")
    page.get_by_label("Your first name, or a name we can use").fill("Morwenna")
    page.get_by_label("Email address (optional)").fill("morwenna.exit@example.org")
    page.get_by_text("Tell us what would help you on the day").click()
    page.get_by_label("Anything else that would help you on the day (optional)").fill(SCARED)
    _exit(page)
    seen = _walk_history(page, ["Morwenna", "morwenna.exit@example.org", SCARED])
    # The pages left in the history do not name the topic in their titles either.
    for stop in seen:
        assert "Family and carers support" not in stop.splitlines()[1], stop


def test_titles_of_sensitive_pages_do_not_name_the_topic(new_page, live_server):
    with live_server.app.app_context():
        session_id = db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(CourseType.slug == "family-support", CourseSession.women_only.is_(False))
            .order_by(CourseSession.starts_at)
        )
    page = new_page(width=360)
    for url in [f"/sessions/{session_id}", f"/sessions/{session_id}/your-details"]:
        page.goto(url)
        assert "Family and carers support" not in page.title(), (url, page.title())
        assert "support" not in page.title().lower(), (url, page.title())


def test_personal_pages_are_never_stored_by_the_browser(new_page, live_server):
    page = new_page(width=360)
    with live_server.app.app_context():
        session_id = db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(CourseType.slug == "family-support")
            .order_by(CourseSession.starts_at)
        )
    for url in ["/referral/start", f"/sessions/{session_id}/your-details"]:
        response = page.goto(url)
        assert "no-store" in response.headers.get("cache-control", ""), url
        form = page.locator("main form[method=post]").last
        expect(form).to_have_attribute("autocomplete", "off")
