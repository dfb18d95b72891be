"""No attendee page scrolls sideways at 320 CSS pixels (WCAG 1.4.10 reflow), which axe does not
check: every page a person may meet, signed out and signed in, with and without mistakes."""

import re

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, CourseSession, CourseType, User
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
WIDTH = 320


def _too_wide(page) -> list[str]:
    """The elements wider than the screen (to say what to fix), or [] when nothing is."""
    return page.evaluate(
        """(width) => {
          if (document.scrollingElement.scrollWidth <= width) return [];
          return Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .slice(0, 5)
            .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
        }""",
        WIDTH,
    )


def _check(page, urls: list[str]) -> list[str]:
    wide = []
    for url in urls:
        page.goto(url)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > WIDTH:
            wide.append(f"{url}: {width}px {_too_wide(page)}")
    return wide


def _ids(live_server) -> dict[str, object]:
    with live_server.app.app_context():
        open_session = db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(CourseType.slug == "peer-support", CourseSession.women_only.is_(True))
        )
        referral_only = db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(CourseType.referral_required.is_(True))
        )
        person = db.session.scalar(select(User).where(User.email == "has.bookings@example.org"))
        references = db.session.scalars(
            select(Booking.reference).where(Booking.user_id == person.id).order_by(Booking.id)
        ).all()
    return {"open": open_session, "referral": referral_only, "references": references}


def test_signed_out_pages_fit_320_pixels(new_page, live_server):
    ids = _ids(live_server)
    page = new_page(width=WIDTH)
    urls = [
        "/",
        "/sessions",
        "/sessions?referred=no&women_only=y",
        f"/sessions/{ids['open']}",
        f"/sessions/{ids['referral']}",
        f"/sessions/{ids['open']}/your-details",
        f"/sessions/{ids['referral']}/your-details",
        "/referral/start",
        "/leaving-quickly",
        "/accessibility",
        "/privacy",
        "/account/login",
        "/account/register",
        "/account/forgot-password",
    ]
    wide = _check(page, urls)
    # Pages with their mistakes shown: the error summary and messages must fit too.
    page.goto(f"/sessions/{ids['open']}/your-details")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    if page.evaluate("document.scrollingElement.scrollWidth") > WIDTH:
        wide.append(f"your details with mistakes: {_too_wide(page)}")
    page.goto("/referral/start")
    page.get_by_role("button", name="Find my sessions").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    if page.evaluate("document.scrollingElement.scrollWidth") > WIDTH:
        wide.append(f"look-up with mistakes: {_too_wide(page)}")
    assert wide == []


def test_signed_in_pages_fit_320_pixels(new_page, live_server):
    ids = _ids(live_server)
    page = new_page(width=WIDTH)
    sign_in(page, "has.bookings@example.org")
    page.get_by_role("heading", name="My bookings").wait_for()
    urls = [
        "/my/bookings",
        "/my/preferences",
        "/my/waiting-lists",
        f"/my/sessions/{ids['open']}/book",
    ]
    for reference in ids["references"]:
        urls += [
            f"/my/bookings/{reference}",
            f"/my/bookings/{reference}/cancel",
            f"/my/bookings/{reference}/reschedule",
            f"/my/bookings/{reference}/help-with-fee",
        ]
    wide = _check(page, urls)
    assert wide == [], "\n".join(wide)
    assert all(re.search(r"/my/", url) for url in urls)
