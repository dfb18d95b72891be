"""Register, sign in and out, safe ``next`` redirects, password reset and the login limit."""

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from booking import create_app
from booking.extensions import db as _db
from booking.models import AttendeeProfile, Notification, NotificationStatus, Role, User
from booking.services.people import accounts
from config import TestConfig
from tests import factories

SAFE_PASSWORD = "a long new password"
WRONG = "The email address or password is not right."


def _register(client, email="new.person@example.org", safe=True, **fields):
    data = {
        "first_name": "Robin",
        "last_name": "",
        "email": email,
        "password": SAFE_PASSWORD,
        "confirm": SAFE_PASSWORD,
    }
    if safe:
        data["email_is_safe"] = "y"
    data.update(fields)
    return client.post("/account/register", data=data)


def test_register_creates_an_attendee_with_a_hashed_password_and_safe_email(client, db):
    response = _register(client)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    person = db.session.query(User).filter_by(email="new.person@example.org").one()
    assert person.role == Role.ATTENDEE
    assert SAFE_PASSWORD not in person.password_hash
    assert person.check_password(SAFE_PASSWORD)
    profile = db.session.query(AttendeeProfile).filter_by(user_id=person.id).one()
    assert profile.email_is_safe is True
    # Not signed in straight away (that would show the address was new): a link is sent.
    assert client.get("/my/bookings").status_code == 302
    notice = db.session.query(Notification).filter_by(user_id=person.id).one()
    assert notice.kind == "access_link" and "/referral/link/" in notice.body


def test_register_without_the_safe_email_box_records_it_is_not_safe(client, db):
    _register(client, safe=False)
    person = db.session.query(User).filter_by(email="new.person@example.org").one()
    profile = db.session.query(AttendeeProfile).filter_by(user_id=person.id).one()
    assert profile.email_is_safe is False


def test_register_with_missing_fields_shows_messages(client, db):
    response = client.post("/account/register", data={"email": "not-an-email"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a name we can use." in text
    assert "Enter an email address like name@example.com." in text
    assert db.session.query(User).count() == 0


def test_login_good_and_bad_credentials(client, db):
    person = factories.user(email="sam@example.org")
    unknown = client.post(
        "/account/login", data={"email": "nobody@example.org", "password": factories.PASSWORD}
    )
    wrong = client.post("/account/login", data={"email": person.email, "password": "not it"})
    for response in (unknown, wrong):
        assert response.status_code == 200
        assert WRONG in response.get_data(as_text=True)
    assert client.get("/my/bookings").status_code == 302
    good = client.post(
        "/account/login", data={"email": "SAM@example.org", "password": factories.PASSWORD}
    )
    assert good.status_code == 302 and good.headers["Location"] == "/my/bookings"


def test_login_with_empty_form_shows_messages(client, db):
    response = client.post("/account/login", data={})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address." in text and "Enter your password." in text


def test_logout_is_post_only(client, auth):
    auth.login_as(Role.ATTENDEE)
    assert client.get("/account/logout").status_code == 405
    assert client.get("/my/bookings").status_code == 200
    response = client.post("/account/logout")
    assert response.status_code == 302
    assert client.get("/my/bookings").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/sessions?area=kent", "/sessions?area=kent"),
        ("//evil.example", "/my/bookings"),
        ("https://evil.example", "/my/bookings"),
        ("/\\evil.example", "/my/bookings"),
        ("\\\\evil.example", "/my/bookings"),
        ("javascript:alert(1)", "/my/bookings"),
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
    ],
)
def test_next_redirect_is_followed_only_within_the_site(client, db, next_url, expected):
    person = factories.user()
    response = client.post(
        "/account/login",
        data={"email": person.email, "password": factories.PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_next_from_the_query_string_reaches_the_form(client, db):
    response = client.get("/account/login?next=/sessions")
    assert 'value="/sessions"' in response.get_data(as_text=True)


def _reset_link(db, person) -> str:
    notice = db.session.query(Notification).filter_by(user_id=person.id).one()
    assert notice.subject == "Resetting your password"
    return re.search(r"http://[^/]+(/account/reset-password/\S+)", notice.body).group(1)


def test_password_reset_link_goes_to_the_outbox_and_works_once(client, db):
    person = factories.user(email="reset.me@example.org")
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))
    response = client.post("/account/forgot-password", data={"email": "reset.me@example.org"})
    assert response.status_code == 302
    link = _reset_link(db, person)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": SAFE_PASSWORD, "confirm": SAFE_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    db.session.refresh(person)
    assert person.check_password(SAFE_PASSWORD)
    again = client.post(link, data={"password": "another long one", "confirm": "another long one"})
    assert again.status_code == 302 and again.headers["Location"] == "/account/forgot-password"
    db.session.refresh(person)
    assert person.check_password(SAFE_PASSWORD)


def test_no_reset_email_when_email_is_not_safe_or_account_unknown(client, db):
    person = factories.user(email="quiet@example.org")  # no profile: email not said to be safe
    for email in ("quiet@example.org", "unknown@example.org"):
        response = client.post("/account/forgot-password", data={"email": email})
        assert response.status_code == 302
    assert (
        db.session.query(Notification)
        .filter(Notification.status != NotificationStatus.WITHHELD)
        .count()
        == 0
    )
    assert person.email == "quiet@example.org"


def test_expired_or_tampered_reset_token_is_refused(app, client, db):
    person = factories.user()
    token = accounts.reset_token(person, app.config["SECRET_KEY"])
    app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] = -1  # every token is already too old
    response = client.get(f"/account/reset-password/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/forgot-password"
    app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] = 3600
    forged = URLSafeTimedSerializer("not the key", salt="password-reset").dumps({"id": person.id})
    assert client.get(f"/account/reset-password/{forged}").status_code == 302
    assert client.get(f"/account/reset-password/{token}").status_code == 200


def test_login_is_rate_limited_with_a_calm_page(database_url):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    client = app.test_client()
    statuses = []
    for _ in range(4):
        with app.app_context():
            response = client.post(
                "/account/login", data={"email": "x@example.org", "password": "wrong"}
            )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    text = response.get_data(as_text=True)
    assert "Please wait a moment" in text
    assert "Traceback" not in text
    with app.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize(
    "password, message",
    [("short", "Use at least 10 characters."), ("x" * 201, "Use 200 characters or fewer.")],
)
def test_a_password_too_short_or_too_long_says_which_and_creates_nothing(
    client, db, password, message
):
    response = _register(client, password=password, confirm=password)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="new.person@example.org").count() == 0
