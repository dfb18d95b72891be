"""The flask commands: expire-holds and seed-demo; and every page linked from / answers."""

import re
from datetime import timedelta
from urllib.parse import urldefrag

from booking.demo.seed import DEMO_PASSWORD, DEMO_USERS
from booking.models import (
    Booking,
    BookingStatus,
    CourseSession,
    CourseType,
    PoliceForce,
    User,
    Venue,
    utcnow,
)
from booking.services.bookings import seats as bookings
from tests import factories

COUNTED = (PoliceForce, CourseType, Venue, CourseSession, User)


def test_expire_holds_command_releases_lapsed_holds(app, db):
    course_session = factories.course_session(capacity=1)
    lapsed = bookings.hold_seat(
        course_session.id, factories.user(), now=utcnow() - timedelta(hours=1), hold_minutes=30
    )
    fresh_session = factories.course_session(capacity=1)
    current = bookings.hold_seat(fresh_session.id, factories.user(), now=utcnow())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-holds"])
    assert result.exit_code == 0, result.output
    assert "Released 1 expired hold(s)." in result.output
    db.session.expire_all()
    assert db.session.get(Booking, lapsed.id).status == BookingStatus.EXPIRED
    assert db.session.get(Booking, current.id).status == BookingStatus.HELD
    assert bookings.places_left(course_session, now=utcnow()) == 1


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.query(model).count() for model in COUNTED}


def test_seed_demo_is_idempotent_and_logins_work(app, client, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    db.session.expire_all()
    after_first = _counts(db)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "nothing added" in second.output
    db.session.expire_all()
    assert _counts(db) == after_first
    assert after_first["PoliceForce"] == 43
    assert db.session.query(PoliceForce).filter_by(is_partner=True).count() == 18
    assert after_first["CourseSession"] > 0
    # Dyfed-Powys shares on written terms and records a completion as Outcome 22.
    from booking.services.referrals import sharing

    dyfed = db.session.query(PoliceForce).filter_by(slug="dyfed-powys").one()
    agreement = sharing.current(dyfed.id)
    assert agreement is not None and agreement.version == 1
    assert (agreement.completed_code, agreement.completed_wording) == (
        "Outcome 22",
        "condition met",
    )
    for email, _role, _first, _last in DEMO_USERS:
        response = client.post("/account/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/account/logout")


def _links(html: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"]+)"', html):
        href = urldefrag(href.replace("&amp;", "&")).url
        if href.startswith("/") and not href.startswith("//"):
            found.add(href)
    return found


def _crawl(client, starts: list[str], limit: int = 120) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.mimetype == "text/html":
            queue.extend(sorted(_links(response.get_data(as_text=True)) - seen.keys()))
        response.close()
    return seen


def test_every_page_linked_from_home_answers_for_each_role(app, client, db):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    for email, starts in (
        (None, ["/"]),
        ("sam@example.org", ["/", "/my/bookings"]),
        ("admin@example.org", ["/", "/admin/"]),
        ("scheduler@example.org", ["/", "/admin/"]),
        ("finance@example.org", ["/", "/admin/"]),
        ("safeguarding@example.org", ["/", "/admin/"]),
    ):
        if email:
            client.post("/account/login", data={"email": email, "password": DEMO_PASSWORD})
        seen = _crawl(client, starts)
        assert len(seen) > 3, seen
        errors = {url: status for url, status in seen.items() if status >= 500}
        assert errors == {}, errors
        # No staff role is shown a link to a staff page it may not open.
        refused = {
            url: status
            for url, status in seen.items()
            if status == 403 and url.startswith("/admin")
        }
        assert refused == {}, (email, refused)
        client.post("/account/logout")
