"""CSRF, security headers, production settings, error pages and the health check."""

import re

import pytest

from booking import create_app
from booking.extensions import db as _db
from booking.models import Booking, Role, SessionStatus
from booking.services.errors import BookingError
from config import ProductionConfig, TestConfig
from tests import factories


def test_post_without_csrf_token_is_refused_and_changes_nothing(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        course_session = factories.course_session()
        person = factories.user(Role.ATTENDEE)
        session_id, email = course_session.id, person.email
        _db.session.commit()
        _db.session.remove()
    with app.app_context():
        credentials = {"email": email, "password": factories.PASSWORD}
        assert client.post("/account/login", data=credentials).status_code == 400
        form = client.get("/account/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        signed_in = client.post("/account/login", data={**credentials, "csrf_token": token})
        assert signed_in.status_code == 302  # with its token the same form works
        refused = client.post(f"/my/sessions/{session_id}/book")
        assert refused.status_code == 400
        assert _db.session.query(Booking).count() == 0
        _db.session.remove()
        _db.engine.dispose()


def test_forms_carry_a_csrf_token(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        page = app.test_client().get("/account/login").get_data(as_text=True)
        _db.engine.dispose()
    assert 'name="csrf_token"' in page


def test_security_headers(client, db):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # only in production


@pytest.fixture
def production_env(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-the-test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://localhost")
    return database_url


def test_production_sends_hsts_and_secure_cookies(production_env):
    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=production_env)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    client = app.test_client()
    with app.app_context():
        # The sign-in form puts its CSRF token in the session, so this sets the session cookie.
        response = client.get("/account/login", base_url="https://localhost")
        assert "max-age=" in response.headers["Strict-Transport-Security"]
        cookies = response.headers.getlist("Set-Cookie")
        _db.engine.dispose()
    assert cookies, "the sign-in page should set a session cookie"
    assert all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL"])
def test_production_refuses_to_start_without_settings(production_env, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app(ProductionConfig)


def test_not_found_page(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Page not found" in text and "Go to the start page" in text


def test_domain_error_is_a_4xx_with_the_plain_message(app, client, db):
    @app.get("/raise-domain-error")
    def raise_domain_error():
        raise BookingError("full")

    response = client.get("/raise-domain-error")
    assert response.status_code == 409
    assert "Sorry, this session is full." in response.get_data(as_text=True)


def test_cancelled_session_booking_is_a_4xx_message_not_500(client, auth, db):
    course_session = factories.course_session(status=SessionStatus.CANCELLED)
    auth.login_as(Role.ATTENDEE)
    response = client.post(f"/my/sessions/{course_session.id}/book")
    assert response.status_code == 409
    assert "no longer taking bookings" in response.get_data(as_text=True)


def test_health_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2",
        "sqlite:////nonexistent-directory-for-waypoint/sub/waypoint.db",
    ],
)
def test_health_reports_an_unreachable_database(url, caplog):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        response = app.test_client().get("/healthz")
        _db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
