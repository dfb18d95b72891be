"""axe-core (WCAG 2.2 A and AA, and its best-practice rules) finds nothing on any page
reachable from /, for each role, at 360 px wide; and nothing on the pages that show errors.
No page scrolls sideways."""

import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, User
from tests.browser.conftest import AXE_TAGS, sign_in, unique_email

pytestmark = pytest.mark.browser

WIDTH = 360
MAX_PAGES = 60
ROLES = {
    "anonymous": None,
    "attendee": "has.bookings@example.org",
    "trainer": "trainer.amira@example.org",
    "admin": "admin@example.org",
}
_axe = Axe()


def audit(page) -> list[str]:
    """What axe and a sideways-scroll check find wrong on the page now shown."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    problems = [
        f"{page.url}: {violation['id']} ({violation['impact']}): "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        problems.append(f"{page.url}: scrolls sideways ({width}px wide at {WIDTH}px)")
    return problems


def _pattern(url: str) -> str:
    """One page of each kind: numeric ids are replaced (booking references, which differ by
    state, are kept), query keys kept."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + "?" + ",".join(keys)


def crawl(page, base_url: str) -> tuple[list[str], list[str]]:
    """Visit every kind of page reachable by links from /, auditing each."""
    seen, visited, problems = set(), [], []
    queue = deque([base_url + "/"])
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        pattern = _pattern(url)
        if pattern in seen:
            continue
        seen.add(pattern)
        response = page.goto(url)
        assert response.status < 500, f"{url} answered {response.status}"
        visited.append(url)
        problems += audit(page)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = href.split("#")[0]
            is_file = re.search(r"\.(ics|csv|pdf|svg)$", urlsplit(href).path)  # downloads
            # "Exit this page" signs out and leaves the site: it is tested on its own.
            leaves = urlsplit(href).path == "/exit"
            if href.startswith(base_url) and "/static/" not in href and not is_file and not leaves:
                if _pattern(href) not in seen:
                    queue.append(href)
    return visited, problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_reachable_page_passes_axe_at_360px(role, new_page, base_url):
    page = new_page(width=WIDTH)
    if ROLES[role]:
        sign_in(page, ROLES[role])
        assert "/account/login" not in page.url, f"could not sign in as {role}"
    visited, problems = crawl(page, base_url)
    print(f"{role}: {len(visited)} kinds of page checked: {visited}")
    assert len(visited) >= 5, visited
    assert problems == [], "\n".join(problems)


def test_pages_with_errors_pass_axe(new_page, base_url):
    page = new_page(width=WIDTH)
    problems = []
    page.goto("/account/login")
    page.get_by_role("button", name="Sign in").click()
    problems += audit(page)
    page.goto("/account/register")
    page.get_by_role("button", name="Create account").click()
    problems += audit(page)

    page.goto("/account/register")
    page.get_by_label("First name, or the name you would like us to use").fill("Kim")
    email = unique_email()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Choose a password").fill("a long enough password")
    page.get_by_label("Type the password again").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    problems += audit(page)
    sign_in(page, email, "a long enough password")
    page.goto("/my/preferences")
    problems += audit(page)
    page.get_by_label("Voicemail").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    problems += audit(page)
    page.get_by_label("Yes, I would prefer a women-only group").check()
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Your answers are saved.").wait_for()

    page.goto("/sessions?women_only=y&course_type=peer-support")  # open to all, no referral
    problems += audit(page)
    page.locator(".session-card").first.get_by_role("link").click()
    page.get_by_role("link", name="Book", exact=True).click()
    problems += audit(page)
    page.get_by_role("button", name="Book this session").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    problems += audit(page)
    page.goto("/no-such-page")
    problems += audit(page)
    page.goto("/sessions?date_from=2030-03-10&date_to=2030-03-01")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    problems += audit(page)
    assert problems == [], "\n".join(problems)


def test_booking_without_an_account_with_mistakes_passes_axe(new_page):
    page = new_page(width=WIDTH)
    page.goto("/sessions?course_type=peer-support")
    page.locator(".session-card", has_text="places left").first.get_by_role("link").click()
    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_text("Tell us what would help you on the day (optional)").click()
    problems = audit(page)
    assert problems == [], "\n".join(problems)


def test_the_audit_can_fail(new_page):
    page = new_page(width=WIDTH)
    page.set_content(
        "<html lang='en'><title>Broken</title><main><input type='text'><button></button></main>"
    )
    found = " ".join(audit(page))
    assert "label" in found and "button-name" in found


def test_the_need_to_know_page_passes_axe(new_page, live_server):
    with live_server.app.app_context():
        reference = db.session.scalar(
            select(Booking.reference).join(Booking.user).where(User.email == ROLES["attendee"])
        )
    page = new_page(width=WIDTH)
    sign_in(page, ROLES["admin"])
    page.goto(f"/admin/bookings/{reference}/needs")
    expect(page.get_by_role("heading", name="What Robin needs")).to_be_visible()
    assert audit(page) == []
