"""Who may use every route: each endpoint in app.url_map, for each kind of visitor.

The table below classifies every route. A new route that is not in it makes
``test_every_route_is_classified`` fail, so nobody can add a page without deciding who sees it.
"""

import pytest

from booking import create_app
from booking.models import Role, utcnow
from booking.services.bookings import seats as bookings
from booking.services.people import accounts
from config import TestConfig
from tests import factories

PUBLIC = "public"  # anyone, signed in or not
TOKEN = "token"  # anyone holding a valid emailed link
SIGNED_IN = "signed_in"  # any signed-in person
ATTENDEE = "attendee"  # attendees only
OWNER = "owner"  # the attendee whose booking it is; another attendee gets 404
ADMIN = "admin"  # charity staff only
TRAINER = "trainer"  # trainers only
SIGNED = "signed"  # anyone, but the request must carry a valid signature (Stripe webhooks)

ACCESS = {
    "/static/<path:filename>": PUBLIC,
    "/": PUBLIC,
    "/sessions": PUBLIC,
    "/sessions/<int:session_id>": PUBLIC,
    "/accessibility": PUBLIC,
    "/healthz": PUBLIC,
    "/account/login": PUBLIC,
    "/account/logout": SIGNED_IN,
    "/account/register": PUBLIC,
    "/account/forgot-password": PUBLIC,
    "/account/reset-password/<token>": TOKEN,
    "/my/sessions/<int:session_id>/book": ATTENDEE,
    "/my/bookings": ATTENDEE,
    "/my/bookings/<reference>": OWNER,
    "/my/bookings/<reference>/cancel": OWNER,
    "/admin/": ADMIN,
    "/admin/venues": ADMIN,
    "/admin/venues/<int:venue_id>": ADMIN,
    "/admin/venues/new": ADMIN,
    "/admin/course-types": ADMIN,
    "/admin/course-types/<int:course_type_id>": ADMIN,
    "/admin/course-types/new": ADMIN,
    "/admin/sessions": ADMIN,
    "/admin/sessions/<int:session_id>/edit": ADMIN,
    "/admin/sessions/new": ADMIN,
    "/admin/sessions/<int:session_id>": ADMIN,
    "/admin/sessions/<int:session_id>/cancel": ADMIN,
    "/admin/sessions/<int:session_id>/attendance/<int:booking_id>": ADMIN,
    "/admin/bookings/<reference>/needs": ADMIN,
    "/leaving-quickly": PUBLIC,
    "/my/preferences": ATTENDEE,
    "/my/bookings/<reference>/more-time": OWNER,
    # Fees, payments and the hardship fund.
    "/my/bookings/<reference>/pay": OWNER,
    "/my/bookings/<reference>/payment": OWNER,
    "/my/bookings/<reference>/help-with-fee": OWNER,
    "/webhooks/stripe": SIGNED,
    "/admin/money/bookings": ADMIN,
    "/admin/money/bookings/<reference>": ADMIN,
    "/admin/money/bookings/<reference>/payments": ADMIN,
    "/admin/money/bookings/<reference>/payments/<int:payment_id>/refund": ADMIN,
    "/admin/money/fund": ADMIN,
    "/admin/money/fund/<int:fund_id>/top-up": ADMIN,
    "/admin/money/waivers": ADMIN,
    "/admin/money/waivers/<int:waiver_id>": ADMIN,
    "/admin/money/reports": ADMIN,
    "/admin/money/reports.csv": ADMIN,
    "/admin/money/refunds": ADMIN,
    "/admin/money/refunds/<int:refund_id>/retry": ADMIN,
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
    "/admin/trainers/": ADMIN,
    "/admin/trainers/new": ADMIN,
    "/admin/trainers/<int:profile_id>/edit": ADMIN,
    "/admin/trainers/allocation": ADMIN,
    "/admin/trainers/allocation/runs/<int:run_id>": ADMIN,
    "/admin/trainers/allocation/runs/<int:run_id>/publish": ADMIN,
    "/admin/trainers/assignments/<int:assignment_id>/delete": ADMIN,
    "/admin/trainers/load": ADMIN,
    "/admin/trainers/short": ADMIN,
    "/admin/trainers/sessions/<int:session_id>": ADMIN,
    # Referrals, self-service and waiting lists.
    "/referral/start": PUBLIC,
    "/referral/sessions": ATTENDEE,
    "/referral/sessions/<int:session_id>/book": ATTENDEE,
    "/referral/account": ATTENDEE,
    "/referral/send-link": ATTENDEE,
    "/referral/link/<token>": TOKEN,
    "/my/bookings/<reference>/calendar.ics": OWNER,
    "/my/bookings/<reference>/reschedule": OWNER,
    "/my/bookings/<reference>/reschedule/<int:session_id>": OWNER,
    "/my/sessions/<int:session_id>/waiting-list": ATTENDEE,
    "/my/waiting-lists": ATTENDEE,
    "/my/waiting-lists/<int:entry_id>/leave": ATTENDEE,
    "/waiting-list/claim/<token>": TOKEN,
    "/admin/referrals/": ADMIN,
    "/admin/referrals/new": ADMIN,
    "/admin/referrals/upload": ADMIN,
    "/admin/referrals/report": ADMIN,
    "/admin/referrals/<int:referral_id>/withdraw": ADMIN,
    # Data protection: the privacy notice, retention runs, access log, subject access, erasure.
    "/privacy": PUBLIC,
    "/admin/privacy/": ADMIN,
    "/admin/privacy/access-log": ADMIN,
    "/admin/privacy/access-log.csv": ADMIN,
    "/admin/privacy/people": ADMIN,
    "/admin/privacy/people/<int:person_id>": ADMIN,
    "/admin/privacy/people/<int:person_id>/data.json": ADMIN,
    "/admin/privacy/people/<int:person_id>/erase": ADMIN,
}

# Routes where the right visitor may still be told no by the page itself: the ids in this test
# point at no row (404), the empty form is refused (400), the booking is not in the right state
# (409), the person has no referral yet (a redirect), or a bogus token is refused (404). For these
# the test only proves the role check let them through: no sign-in redirect, no 403, no 5xx.
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
    "person_id",
)
PAGE_MAY_REFUSE = {
    rule
    for rule in ACCESS
    if any(
        name in rule
        for name in (
            *MISSING_ROW_PARAMS,
            "<token>",
            "/pay",
            "/payment",
            "help-with-fee",
            "more-time",
            "/certificates/",
            "reschedule",
            "/referral/",
            "/trainer/sessions/",
            "/admin/trainers/sessions/",
            "waiting-list",
            "/money/",
            "/webhooks/",
            "/needs",
            "/preferences",
            "/allocation",
            "/calendar",
            "/referrals/report",
            "/my/sessions/",
            "/trainer/",
        )
    )
}

VISITORS = ["anonymous", "attendee", "other_attendee", "trainer", "admin"]


def _routes() -> list[tuple[str, str]]:
    app = create_app(TestConfig)
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_every_route_is_classified():
    rules = {rule for rule, _ in _routes()}
    assert rules - ACCESS.keys() == set(), "classify these routes in ACCESS"
    assert ACCESS.keys() - rules == set(), "these routes no longer exist"


def _expected(access: str, visitor: str, method: str) -> str:
    """'login' (redirect to sign in), 'forbidden' (403), 'missing' (404) or 'ok' (< 400)."""
    if access in (PUBLIC, TOKEN):
        return "ok"
    if access == SIGNED:
        return "refused"  # nobody gets in without a valid signature
    if visitor == "anonymous":
        return "login"
    if access == SIGNED_IN:
        return "ok"
    if access == ADMIN:
        return "ok" if visitor == "admin" else "forbidden"
    if access == TRAINER:
        return "ok" if visitor == "trainer" else "forbidden"
    if visitor not in ("attendee", "other_attendee"):
        return "forbidden"
    if access == OWNER and visitor == "other_attendee":
        return "missing"
    return "ok"


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("rule", "method"), _routes())
def test_route_access(app, client, auth, db, rule, method, visitor):
    owner = factories.user(Role.ATTENDEE)
    booked = factories.course_session()
    booking = bookings.book_session(booked.id, owner, now=utcnow())
    course_session = factories.course_session()  # one with no booking yet, to book
    values = {
        "filename": "site.css",
        "session_id": course_session.id,
        "venue_id": course_session.venue_id,
        "course_type_id": course_session.course_type_id,
        "reference": booking.reference,
        "token": accounts.reset_token(owner, app.config["SECRET_KEY"]),
        "kind": "slot",
    }
    for name in MISSING_ROW_PARAMS:
        values[name] = 999_999  # no such row: the right visitor gets the page's own 404
    db.session.commit()
    if visitor == "attendee":
        auth.login_as(user=owner)
    elif visitor == "other_attendee":
        auth.login_as(Role.ATTENDEE)
    elif visitor != "anonymous":
        auth.login_as(Role(visitor))
    url = rule
    for name, value in values.items():
        for converter in ("", "int:", "path:"):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"no value for a parameter of {rule}"

    response = client.open(url, method=method, data={})
    expected = _expected(ACCESS[rule], visitor, method)
    status = response.status_code
    response.close()
    if expected == "refused":
        assert status == 400, status
    elif expected == "ok" and rule in PAGE_MAY_REFUSE:
        is_login = status == 302 and response.headers["Location"].startswith("/account/login")
        assert not is_login and status != 403 and status < 500, status
    elif expected == "login":
        assert status == 302, status
        assert response.headers["Location"].startswith("/account/login"), response.headers
    elif expected == "forbidden":
        assert status == 403, status
    elif expected == "missing":
        assert status == 404, status
    else:
        # An empty form posted to a page the visitor may use is refused by the page itself.
        assert status < 400 or (method == "POST" and status == 400), status
        if method == "GET":
            assert status == 200, status
