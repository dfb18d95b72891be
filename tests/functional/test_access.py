"""Who gets which answer on every route: each endpoint in app.url_map, for every kind of visitor.

How to read and extend the table (other branches add routes here too):

- ``ACCESS`` maps each route to who may use it: ``PUBLIC`` (anyone), ``TOKEN`` (anyone holding a
  link; a bogus one is the page's own refusal), ``SIGNED`` (the request must carry a signature),
  or a set of visitors such as ``SCHEDULING`` (admin and scheduler). A new route that is not in
  the table makes ``test_every_route_is_classified`` fail, so nobody adds a page without deciding
  who sees it.
- Everyone not in the set gets the refusal for who they are: a stranger is sent to sign in, an
  attendee asking for another attendee's booking (``OWNER`` routes) gets 404, and any other
  signed-in visitor gets 403. A force contact gets 403 on every staff page.
- Everyone in the set gets the page's own answer: 200 for a GET, 400 for a POST of an empty form,
  404 when the URL names a row that does not exist (the ids in ``MISSING_ROW_PARAMS``). A route
  whose right answer differs (a redirect, a refused token) says so in ``ANSWERS``.

One database and one app serve the whole module; each route gets fresh rows, and each visitor is
signed in by putting their identity in the session cookie, so every route x every visitor runs
in well under a minute.
"""

import pytest
from flask import Flask

from booking import create_app
from booking.extensions import db
from booking.jobs import health
from booking.models import Role, TrainerProfile, User, utcnow
from booking.services.bookings import seats as bookings
from booking.services.people import access_links, accounts, staff_accounts
from config import TestConfig
from tests import factories
from tests.trainer_factories import assign, trainer_profile

VISITORS = (
    "anonymous",
    "attendee",  # the attendee whose booking the URL names
    "other_attendee",
    "trainer",
    "admin",
    "scheduler",
    "finance",
    "safeguarding",
    "force_contact",
)

PUBLIC = "public"  # anyone, signed in or not
TOKEN = "token"  # anyone holding a link; the page itself refuses a bogus one
SIGNED = "signed"  # anyone, but the request must carry a valid signature (Stripe webhooks)
BEARER = "bearer"  # anyone, but the request must carry the callback's bearer token (Notify)
API_TOKEN = "api_token"  # a force system's bearer token only; no cookie session gets in (401)
SIGNED_IN = frozenset(VISITORS) - {"anonymous"}
ATTENDEE = frozenset({"attendee", "other_attendee"})
OWNER = frozenset({"attendee"})  # another attendee gets 404: no hint that the booking exists
TRAINER = frozenset({"trainer"})
ALL_STAFF = frozenset({"admin", "scheduler", "finance", "safeguarding"})
SCHEDULING = frozenset({"admin", "scheduler"})  # sessions, trainers, bookings, referrals
MONEY = frozenset({"admin", "finance"})  # payments, refunds, the fund, help requests
NEEDS = frozenset({"admin", "safeguarding"})  # a person's needs and safe contact
ADMIN_ONLY = frozenset({"admin"})  # accounts and settings
FORCE_CONTACT = frozenset({"force_contact"})  # a force's own staff, scoped to their force

ACCESS: dict[str, frozenset[str] | str] = {
    "/static/<path:filename>": PUBLIC,
    "/": PUBLIC,
    "/sessions": PUBLIC,
    "/sessions/<int:session_id>": PUBLIC,
    "/accessibility": PUBLIC,
    "/healthz": PUBLIC,
    "/healthz/worker": PUBLIC,
    "/metrics": PUBLIC,
    "/account/login": PUBLIC,
    "/account/logout": SIGNED_IN,
    "/account/register": PUBLIC,
    "/account/forgot-password": PUBLIC,
    "/account/find-your-booking": PUBLIC,
    "/account/reset-password/<token>": TOKEN,
    "/my/sessions/<int:session_id>/book": ATTENDEE,
    "/my/bookings": ATTENDEE,
    "/my/bookings/<reference>": OWNER,
    "/my/bookings/<reference>/cancel": OWNER,
    "/admin/": ALL_STAFF,
    "/admin/venues": SCHEDULING,
    "/admin/venues/<int:venue_id>": SCHEDULING,
    "/admin/venues/new": SCHEDULING,
    "/admin/course-types": SCHEDULING,
    "/admin/course-types/<int:course_type_id>": SCHEDULING,
    "/admin/course-types/new": SCHEDULING,
    "/admin/sessions": SCHEDULING,
    "/admin/sessions/<int:session_id>/edit": SCHEDULING,
    "/admin/sessions/new": SCHEDULING,
    "/admin/sessions/<int:session_id>": SCHEDULING,
    "/admin/sessions/<int:session_id>/cancel": SCHEDULING,
    "/admin/sessions/<int:session_id>/attendance/<int:booking_id>": SCHEDULING,
    "/admin/bookings/<reference>/needs": NEEDS,
    # The coordinator's desk: finding sessions, series, closing, messages, waiting lists,
    # forces and schemes.
    "/admin/sessions.csv": SCHEDULING,
    "/admin/sessions/awaiting-closure": SCHEDULING,
    "/admin/sessions/<int:session_id>/marks": SCHEDULING,
    "/admin/sessions/<int:session_id>/close": SCHEDULING,
    "/admin/sessions/<int:session_id>/message": SCHEDULING,
    "/admin/sessions/<int:session_id>/waiting-list": SCHEDULING,
    "/admin/series/<int:series_id>": SCHEDULING,
    "/admin/series/<int:series_id>/change": SCHEDULING,
    "/admin/series/<int:series_id>/cancel": SCHEDULING,
    "/admin/series/<int:series_id>/skip/<int:session_id>": SCHEDULING,
    "/admin/waiting-lists": SCHEDULING,
    "/admin/waiting-list/<int:entry_id>/offer": SCHEDULING,
    "/admin/waiting-list/<int:entry_id>/remove": SCHEDULING,
    "/admin/forces": SCHEDULING,
    "/admin/forces/<int:force_id>": SCHEDULING,
    "/admin/schemes": SCHEDULING,
    "/admin/schemes/new": SCHEDULING,
    "/admin/schemes/<int:scheme_id>": SCHEDULING,
    "/leaving-quickly": PUBLIC,
    "/my/preferences": ATTENDEE,
    "/my/bookings/<reference>/more-time": OWNER,
    # Fees, payments and the hardship fund.
    "/my/bookings/<reference>/pay": OWNER,
    "/my/bookings/<reference>/payment": OWNER,
    "/my/bookings/<reference>/help-with-fee": OWNER,
    "/webhooks/stripe": SIGNED,
    "/admin/money/bookings": MONEY,
    "/admin/money/bookings/<reference>": MONEY,
    "/admin/money/bookings/<reference>/payments": MONEY,
    "/admin/money/bookings/<reference>/payments/<int:payment_id>/refund": MONEY,
    "/admin/money/fund": MONEY,
    "/admin/money/fund/<int:fund_id>/top-up": MONEY,
    "/admin/money/waivers": MONEY,
    "/admin/money/waivers/<int:waiver_id>": MONEY,
    "/admin/money/reports": MONEY,
    "/admin/money/reports.csv": MONEY,
    "/admin/money/refunds": MONEY,
    "/admin/money/refunds/<int:refund_id>/retry": MONEY,
    # Trainers, allocation, rosters and certificates.
    "/trainer/": TRAINER,
    "/trainer/availability": TRAINER,
    "/trainer/availability/leave": TRAINER,
    "/trainer/availability/slots": TRAINER,
    "/trainer/availability/<kind>/<int:row_id>/delete": TRAINER,
    "/trainer/calendar/reset": TRAINER,
    "/trainer/calendar/<token>.ics": TOKEN,
    "/trainer/sessions/<int:session_id>": TRAINER,
    "/trainer/sessions/<int:session_id>/attendance": TRAINER,
    "/trainer/sessions/<int:session_id>/close": TRAINER,
    "/my/certificates/<reference>": OWNER,
    "/admin/trainers/": SCHEDULING,
    "/admin/trainers/new": SCHEDULING,
    "/admin/trainers/<int:profile_id>/edit": SCHEDULING,
    "/admin/trainers/allocation": SCHEDULING,
    "/admin/trainers/allocation/runs/<int:run_id>": SCHEDULING,
    "/admin/trainers/allocation/runs/<int:run_id>/publish": SCHEDULING,
    "/admin/trainers/assignments/<int:assignment_id>/delete": SCHEDULING,
    "/admin/trainers/load": SCHEDULING,
    "/admin/trainers/short": SCHEDULING,
    "/admin/trainers/sessions/<int:session_id>": SCHEDULING,
    # Referrals, self-service and waiting lists.
    "/referral/start": PUBLIC,
    "/referral/sessions": ATTENDEE,
    "/referral/sessions/<int:session_id>/book": ATTENDEE,
    "/referral/account": ATTENDEE,
    "/referral/questions": ATTENDEE,
    "/referral/send-link": ATTENDEE,
    "/referral/link/<token>": TOKEN,
    "/my/bookings/<reference>/calendar.ics": OWNER,
    "/my/bookings/<reference>/reschedule": OWNER,
    "/my/bookings/<reference>/reschedule/<int:session_id>": OWNER,
    "/my/sessions/<int:session_id>/waiting-list": ATTENDEE,
    "/my/waiting-lists": ATTENDEE,
    "/my/waiting-lists/<int:entry_id>/leave": ATTENDEE,
    "/waiting-list/claim/<token>": TOKEN,
    "/admin/referrals/": SCHEDULING,
    "/admin/referrals/new": SCHEDULING,
    "/admin/referrals/upload": SCHEDULING,
    "/admin/referrals/report": SCHEDULING,
    "/admin/referrals/funnel": SCHEDULING,
    "/admin/referrals/funnel.csv": SCHEDULING,
    "/admin/referrals/<int:referral_id>/contact": SCHEDULING,
    "/admin/referrals/gaps": SCHEDULING,
    "/admin/referrals/<int:referral_id>/send-link": SCHEDULING,
    "/admin/referrals/<int:referral_id>/withdraw": SCHEDULING,
    # Finding a person and acting for them.
    "/admin/people/": ALL_STAFF,
    "/admin/people/<int:person_id>": ALL_STAFF,
    "/admin/people/new": SCHEDULING | NEEDS,
    "/admin/people/referrals/<int:referral_id>/person": SCHEDULING | NEEDS,
    "/admin/people/<int:person_id>/answers": NEEDS,
    "/admin/people/access-log": NEEDS,
    "/admin/people/<int:person_id>/book": SCHEDULING,
    "/admin/people/bookings/<reference>/move": SCHEDULING,
    "/admin/people/bookings/<reference>/cancel": SCHEDULING,
    "/admin/people/bookings/<reference>/more-time": SCHEDULING,
    "/admin/people/bookings/<reference>/payment": MONEY,
    "/admin/people/bookings/<reference>/pay-link": SCHEDULING | MONEY,
    # Staff accounts, and the invitation link that opens one.
    "/admin/accounts/": ADMIN_ONLY,
    "/admin/accounts/invite": ADMIN_ONLY,
    "/admin/accounts/<int:account_id>/deactivate": ADMIN_ONLY,
    "/account/invite/<token>": TOKEN,
    # Data protection: the privacy notice, retention runs, access log, subject access, erasure.
    "/privacy": PUBLIC,
    "/admin/privacy/": NEEDS,
    "/admin/privacy/access-log": NEEDS,
    "/admin/privacy/access-log.csv": NEEDS,
    "/admin/privacy/people": NEEDS,
    "/admin/privacy/people/<int:person_id>": NEEDS,
    "/admin/privacy/people/<int:person_id>/data.json": NEEDS,
    "/admin/privacy/people/<int:person_id>/erase": NEEDS,
    # Booking, or joining a waiting list, without an account; leaving quickly.
    "/sessions/<int:session_id>/your-details": PUBLIC,
    "/sessions/<int:session_id>/waiting-list": PUBLIC,
    "/exit": PUBLIC,
    "/favicon.ico": PUBLIC,
    # Police forces: the API, its documents, force contacts' pages, tokens, webhooks, deadlines.
    "/api/v1/openapi.json": PUBLIC,
    "/api/v1/docs": PUBLIC,
    "/api/v1/referrals": API_TOKEN,
    "/api/v1/referrals/<int:referral_id>": API_TOKEN,
    "/api/v1/referrals/<int:referral_id>/withdraw": API_TOKEN,
    "/api/v1/outcomes": API_TOKEN,
    "/api/v1/sessions": API_TOKEN,
    "/force/": FORCE_CONTACT,
    "/force/referrals/new": FORCE_CONTACT,
    "/force/referrals/upload": FORCE_CONTACT,
    "/force/report": FORCE_CONTACT,
    "/force/system": FORCE_CONTACT,
    "/force/tokens": FORCE_CONTACT,
    "/force/tokens/<int:token_id>/revoke": FORCE_CONTACT,
    "/force/webhook": FORCE_CONTACT,
    "/force/webhook/secret": FORCE_CONTACT,
    "/force/webhook/test": FORCE_CONTACT,
    "/admin/referrals/near-deadline": SCHEDULING,
    "/admin/referrals/<int:referral_id>/extend": SCHEDULING,
    "/admin/referrals/forces": SCHEDULING,
    "/admin/referrals/evidence": SCHEDULING,
    "/admin/referrals/evidence.csv": SCHEDULING,
    "/admin/referrals/forces/<slug>": SCHEDULING,
    "/admin/referrals/forces/<slug>/tokens": ADMIN_ONLY,
    "/admin/referrals/forces/<slug>/tokens/<int:token_id>/revoke": SCHEDULING,
    "/admin/referrals/forces/<slug>/webhook": ADMIN_ONLY,
    "/admin/referrals/forces/<slug>/agreement": ADMIN_ONLY,
    "/admin/referrals/webhooks/<int:delivery_id>/retry": SCHEDULING,
    # Reaching people: calls, messages withheld or failed, the development outbox, callbacks.
    "/admin/contact/calls": SCHEDULING | NEEDS,
    "/admin/contact/calls/<int:notification_id>": SCHEDULING | NEEDS,
    "/admin/contact/messages": SCHEDULING | NEEDS,
    "/admin/contact/messages/<int:notification_id>/resend": SCHEDULING | NEEDS,
    "/admin/contact/people/<int:user_id>": SCHEDULING | NEEDS,
    "/admin/contact/development-outbox": SCHEDULING | NEEDS,
    "/webhooks/notify": BEARER,
    "/webhooks/notify/inbound": BEARER,
}

# The answer the visitors in a route's set get, where it is not the default (see the top).
# A number is everyone's answer; a dict gives it per visitor, with "*" for the rest.
ANSWERS: dict[tuple[str, str], int | dict[str, int]] = {
    # Forms that need nothing typed: they do their work and redirect.
    ("POST", "/account/logout"): 302,
    ("POST", "/admin/money/fund"): 303,
    ("POST", "/admin/sessions/<int:session_id>/cancel"): 303,
    ("POST", "/my/bookings/<reference>/cancel"): 303,
    ("POST", "/referral/send-link"): 303,
    ("POST", "/trainer/calendar/reset"): 303,
    # Refused forms that send the visitor back to the list they came from, saying why.
    ("POST", "/admin/accounts/<int:account_id>/deactivate"): 303,
    ("POST", "/admin/people/referrals/<int:referral_id>/person"): 303,
    # The form is checked before the row is looked for, so an empty one is refused first.
    ("POST", "/admin/money/bookings/<reference>/payments/<int:payment_id>/refund"): 400,
    ("POST", "/admin/money/fund/<int:fund_id>/top-up"): 400,
    ("POST", "/admin/money/refunds/<int:refund_id>/retry"): 400,
    # A refused form is shown again with its messages, after a redirect.
    ("POST", "/admin/sessions/<int:session_id>/attendance/<int:booking_id>"): 303,
    ("POST", "/my/sessions/<int:session_id>/book"): 303,
    ("POST", "/referral/sessions/<int:session_id>/book"): 303,
    ("POST", "/trainer/availability/leave"): 303,
    ("POST", "/trainer/availability/slots"): 303,
    # Nothing to decide, no hold to extend, no place to wait for, no offer to leave: 409.
    ("POST", "/admin/money/waivers/<int:waiver_id>"): 409,
    ("POST", "/my/bookings/<reference>/more-time"): 409,
    ("POST", "/my/sessions/<int:session_id>/waiting-list"): 409,
    ("POST", "/my/waiting-lists/<int:entry_id>/leave"): 409,
    # Pages that send the visitor to choose something first.
    ("GET", "/force/report"): 302,  # choose the dates
    # A new signing secret needs nothing typed (shown once on the answer); a test delivery
    # with no address set goes back to the page saying so.
    ("POST", "/force/webhook/secret"): 200,
    ("POST", "/force/webhook"): 303,  # an empty address stops the webhook
    ("POST", "/force/webhook/test"): 303,
    # A signed-in attendee books or joins in one step on their own page instead.
    ("GET", "/sessions/<int:session_id>/waiting-list"): {
        "attendee": 302,
        "other_attendee": 302,
        "*": 200,
    },
    ("POST", "/sessions/<int:session_id>/waiting-list"): {
        "attendee": 302,
        "other_attendee": 302,
        "*": 400,
    },
    ("GET", "/sessions/<int:session_id>/your-details"): {
        "attendee": 302,
        "other_attendee": 302,
        "*": 200,
    },
    ("POST", "/sessions/<int:session_id>/your-details"): {
        "attendee": 302,
        "other_attendee": 302,
        "*": 400,
    },
    # Every question is optional: an empty answer is saved and the person moves on.
    ("POST", "/my/preferences"): 303,
    ("POST", "/referral/questions"): 303,
    # Leaving quickly always works, signed in or not, and needs nothing typed.
    ("POST", "/exit"): 200,
    # A call, message or series date that does not exist: back to the list, saying so.
    ("POST", "/admin/contact/calls/<int:notification_id>"): 303,
    ("POST", "/admin/contact/messages/<int:notification_id>/resend"): 303,
    ("POST", "/admin/series/<int:series_id>/skip/<int:session_id>"): 303,
    # No such force.
    ("GET", "/admin/referrals/forces/<slug>"): 404,
    ("POST", "/admin/referrals/forces/<slug>/tokens"): 404,
    ("POST", "/admin/referrals/forces/<slug>/webhook"): 404,
    ("GET", "/admin/referrals/forces/<slug>/agreement"): 404,
    ("POST", "/admin/referrals/forces/<slug>/agreement"): 404,
    ("GET", "/admin/referrals/report"): 302,  # choose a force
    ("GET", "/referral/sessions"): 302,  # look the referral up first
    # The session named is another course, and no certificate before attending.
    ("GET", "/my/bookings/<reference>/reschedule/<int:session_id>"): 404,
    ("GET", "/my/certificates/<reference>"): 404,
    # A real link signs the first visitor in and is spent: it then works for nobody.
    ("POST", "/referral/link/<token>"): {"anonymous": 303, "*": 404},
    # The test holds no waiting-list offer, so its link is refused.
    ("GET", "/waiting-list/claim/<token>"): 404,
    ("POST", "/waiting-list/claim/<token>"): 404,
}

# URL ids this test points at no row (the right visitor then gets the page's own 404).
MISSING_ROW_PARAMS = (
    "payment_id",
    "refund_id",
    "fund_id",
    "waiver_id",
    "row_id",
    "run_id",
    "assignment_id",
    "profile_id",
    "referral_id",
    "entry_id",
    "booking_id",
    "account_id",
    "notification_id",
    "user_id",
    "series_id",
    "force_id",
    "scheme_id",
    "token_id",
    "delivery_id",
)


def _routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = _routes(create_app(TestConfig))


def test_every_route_is_classified():
    rules = {rule for rule, _ in ROUTES}
    assert rules - ACCESS.keys() == set(), "classify these routes in ACCESS"
    assert ACCESS.keys() - rules == set(), "these routes no longer exist"
    answered = {rule for _, rule in ANSWERS}
    assert answered - rules == set(), "these ANSWERS name routes that no longer exist"


def expected_answer(rule: str, method: str, visitor: str) -> int | str:
    """The status ``visitor`` should get, or "login" (a redirect to sign in)."""
    who = ACCESS[rule]
    if who == SIGNED:
        return 400  # nobody gets in without a valid signature
    if who in (BEARER, API_TOKEN):
        return 401  # nobody gets in without the bearer token
    allowed = who in (PUBLIC, TOKEN) or visitor in who
    if not allowed:
        if visitor == "anonymous":
            return "login"
        if who == OWNER and visitor in ATTENDEE:
            return 404
        return 403
    answer = ANSWERS.get((method, rule))
    if isinstance(answer, dict):
        answer = answer.get(visitor, answer["*"])
    if answer is not None:
        return answer
    if any(f"<int:{name}>" in rule for name in MISSING_ROW_PARAMS):
        return 404
    return 200 if method == "GET" else 400


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    """One app and database for the module, with one account for each kind of visitor."""
    url = databases.fresh(tmp_path_factory.mktemp("access"))
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        trainer = factories.user(Role.TRAINER)
        profile = trainer_profile(user=trainer)
        people = {
            "attendee": factories.user(Role.ATTENDEE),
            "other_attendee": factories.user(Role.ATTENDEE),
            "trainer": trainer,
            "admin": factories.user(Role.ADMIN),
            "scheduler": factories.user(Role.SCHEDULER),
            "finance": factories.user(Role.FINANCE),
            "safeguarding": factories.user(Role.SAFEGUARDING),
            "force_contact": factories.user(Role.FORCE_CONTACT, force_id=factories.force().id),
        }
        db.session.commit()
        ids = {visitor: person.id for visitor, person in people.items()}
        ids["trainer_profile"] = profile.id
    yield app, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.reset(url)


def _token(app: Flask, rule: str, owner: User, profile: TrainerProfile) -> str:
    """A real link for the rule where the test can make one (else the page refuses it)."""
    if rule.startswith("/trainer/calendar/"):
        return profile.calendar_token
    if rule.startswith("/account/invite/"):
        invited = factories.user(Role.TRAINER)
        invited.set_unusable_password()
        return staff_accounts.invite_token(invited, secret_key=app.config["SECRET_KEY"])
    if rule.startswith("/referral/link/"):
        return access_links.token_for(owner, secret_key=app.config["SECRET_KEY"])
    return accounts.reset_token(owner, app.config["SECRET_KEY"])


def _url(app: Flask, rule: str, ids: dict[str, int]) -> str:
    """The rule with its parameters filled in: fresh rows, so no route sees another's changes."""
    owner = db.session.get(User, ids["attendee"])
    profile = db.session.get(TrainerProfile, ids["trainer_profile"])
    booked = factories.course_session()
    booking = bookings.book_session(booked.id, owner, now=utcnow())
    course_session = factories.course_session()  # one with no booking yet, to book
    assign(course_session, profile)  # the trainer's own session
    values = {
        "filename": "site.css",
        "session_id": course_session.id,
        "venue_id": course_session.venue_id,
        "course_type_id": course_session.course_type_id,
        "reference": booking.reference,
        "token": _token(app, rule, owner, profile),
        "kind": "slot",
        "person_id": owner.id,
        "slug": "no-such-force",
    }
    for name in MISSING_ROW_PARAMS:
        values[name] = 999_999  # no such row: the right visitor gets the page's own 404
    db.session.commit()
    if rule == "/healthz/worker":
        health.beat("access-test-worker", now=utcnow())  # a live worker: the page's own 200
    url = rule
    for name, value in values.items():
        for converter in ("", "int:", "path:"):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"no value for a parameter of {rule}"
    return url


def _answer(app: Flask, url: str, method: str, person_id: int | None) -> int | str:
    client = app.test_client()
    if person_id is not None:
        with app.app_context():
            person = db.session.get(User, person_id)
            with client.session_transaction() as session:
                session["_user_id"] = person.get_id()
                session["_fresh"] = True
    with app.app_context():
        response = client.open(url, method=method, data={})
    location = response.headers.get("Location", "")
    response.close()
    if response.status_code == 302 and location.startswith("/account/login"):
        return "login"
    return response.status_code


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_each_visitor_gets_the_right_answer(world, rule, method):
    app, ids = world
    with app.app_context():
        url = _url(app, rule, ids)
    wrong = {}
    for visitor in VISITORS:
        expected = expected_answer(rule, method, visitor)
        got = _answer(app, url, method, ids.get(visitor))
        if got != expected:
            wrong[visitor] = f"expected {expected}, got {got}"
    assert wrong == {}, f"{method} {url}"
