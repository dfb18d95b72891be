"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

The app runs in a werkzeug server thread on a migrated SQLite database with demo data, with CSRF
on (as in production) so every form must really carry its token. When /usr/bin/chromium is
missing the tests are skipped with a reason (pytest -rs shows it). A failing test leaves a
screenshot of each of its pages in test-results/.
"""

import itertools
import logging
import os
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from booking import create_app
from booking.database import unit_of_work
from booking.demo.seed import seed_demo
from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    CourseSession,
    CourseType,
    Role,
    SessionStatus,
    User,
    Venue,
    utcnow,
)
from booking.services.bookings import seats as bookings
from config import TestConfig
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.databases import SqliteDatabases

RESULTS = Path(__file__).resolve().parent.parent.parent / "test-results"
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"
PASSWORD = "waypoint-browser-test"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
_numbers = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(
        reason=f"Chromium is not installed at {CHROMIUM}: browser tests skipped "
        "(apt-get install -y chromium)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


class LiveServer:
    def __init__(self, app, url: str) -> None:
        self.app = app
        self.url = url


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-db")
    database_url = SqliteDatabases(workdir).fresh(workdir)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        _seed(now=utcnow())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server")
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


def _seed(*, now) -> None:
    """Demo data, a session with a fee, and an attendee who already has bookings."""
    with unit_of_work():
        seed_demo(now=now)
        venue = db.session.query(Venue).order_by(Venue.id).first()
        paid_type = CourseType(
            slug="evening-workshop",
            name="Evening workshop",
            duration_minutes=120,
            default_capacity=30,
            default_fee_pence=3500,
        )
        db.session.add(paid_type)
        starts = now.replace(microsecond=0) + timedelta(days=10)
        paid = CourseSession(
            course_type=paid_type,
            venue=venue,
            force_id=venue.force_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=30,
            status=SessionStatus.SCHEDULED,
        )
        db.session.add(paid)
        person = User(
            email="has.bookings@example.org",
            role=Role.ATTENDEE,
            first_name="Robin",
            last_name="Lee",
        )
        person.set_password(PASSWORD)
        db.session.add(person)
        db.session.flush()
        db.session.add(
            AttendeeProfile(user_id=person.id, prefers_women_only=False, email_is_safe=True)
        )
        # The demo's awareness courses take referred people only; this person is self-referred.
        free = db.session.scalars(
            db.select(CourseSession)
            .join(CourseSession.course_type)
            .where(
                CourseSession.women_only.is_(False),
                CourseSession.id != paid.id,
                CourseType.referral_required.is_(False),
            )
            .order_by(CourseSession.starts_at)
        ).first()
        # A women-only group anyone may book (the demo's women-only groups need a referral).
        peer_support = db.session.scalar(
            db.select(CourseType).where(CourseType.slug == "peer-support")
        )
        db.session.add(
            CourseSession(
                course_type=peer_support,
                venue=venue,
                force_id=venue.force_id,
                starts_at=starts + timedelta(days=1),
                ends_at=starts + timedelta(days=1, hours=2),
                capacity=8,
                women_only=True,
                status=SessionStatus.SCHEDULED,
            )
        )
        bookings.book_session(free.id, person, now=now)
        bookings.book_session(paid.id, person, now=now)
        # A full session anyone may wait for: its one place is taken by someone else.
        full = CourseSession(
            course_type=peer_support,
            venue=venue,
            force_id=venue.force_id,
            starts_at=starts + timedelta(days=2),
            ends_at=starts + timedelta(days=2, hours=2),
            capacity=1,
            status=SessionStatus.SCHEDULED,
        )
        db.session.add(full)
        other = User(email="took.the.place@example.org", role=Role.ATTENDEE, first_name="Ali")
        other.set_password(PASSWORD)
        db.session.add(other)
        db.session.flush()
        bookings.book_session(full.id, other, now=now)
        for email in ("admin@example.org", "trainer.amira@example.org"):
            staff = db.session.scalar(db.select(User).where(User.email == email))
            staff.set_password(PASSWORD)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def new_page(browser, base_url, request):
    """Open a page in a fresh context: ``new_page(width=360, javascript=False)``.

    The neutral site behind "Exit this page" is answered locally: nothing calls the internet.
    """
    contexts = []

    def opener(*, width: int = 360, height: int = 740, javascript: bool = True):
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
        )
        context.route(
            re.compile(r"^https?://(?!127\.0\.0\.1).*"),
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><title>Weather</title><h1>Weather forecast</h1>",
            ),
        )
        contexts.append(context)
        return context.new_page()

    yield opener
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid)
        for number, context in enumerate(contexts):
            for index, page in enumerate(context.pages):
                page.screenshot(path=str(RESULTS / f"{name}-{number}-{index}.png"), full_page=True)
    for context in contexts:
        context.close()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def unique_email() -> str:
    return f"person{os.getpid()}-{next(_numbers)}@example.org"
