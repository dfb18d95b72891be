"""The app as deployed: HTTPS (directly or behind a proxy), trusted hosts, links and rate limits.

Production settings through the Flask test client; tests/production runs the same shape through
gunicorn, TLS and Chromium.
"""

import re
import uuid
from pathlib import Path

import pytest
import redis

from booking import create_app
from booking.extensions import db as _db
from booking.models import AttendeeProfile, Notification
from booking.web import links
from config import ProductionConfig, TestConfig
from tests import factories

PUBLIC = "https://waypoint.example"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def production(monkeypatch, database_url):
    """Build a production app on the test database: ``production(**settings)``."""
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-the-test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    apps = []

    def build(**settings):
        app = create_app(ProductionConfig, **settings)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            _db.engine.dispose()


def _person(app, email="someone@example.org"):
    with app.app_context():
        person = factories.user(email=email)
        _db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))
        _db.session.commit()


def _sign_in(client, headers=None, base_url=PUBLIC, email="someone@example.org"):
    """Sign in as a browser without a Referer would: GET the form, then POST it with its token."""
    page = client.get("/account/login", base_url=base_url).get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    return client.post(
        "/account/login",
        base_url=base_url,
        headers=headers or {},
        data={"csrf_token": token, "email": email, "password": factories.PASSWORD},
    )


def test_https_form_without_a_referer_signs_in(production):
    app = production()
    _person(app)

    response = _sign_in(app.test_client())

    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/my/bookings"


def test_behind_a_proxy_that_ends_tls_a_form_without_a_referer_signs_in(production):
    app = production(PROXY_FIX_X_PROTO=1)
    _person(app)
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https"}

    page = client.get("/account/login", base_url="http://waypoint.example", headers=headers)
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    response = client.post(
        "/account/login",
        base_url="http://waypoint.example",
        headers=headers,
        data={"csrf_token": token, "email": "someone@example.org", "password": factories.PASSWORD},
    )

    assert response.status_code == 302
    # The proxy said https, so the session cookie is Secure and HSTS is sent.
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://waypoint.example"},  # the same host over plain HTTP
        {"Referer": "https://evil.example/form"},
    ],
    ids=["other-origin", "hidden-origin", "plain-http-origin", "other-referer"],
)
def test_a_form_posted_from_another_site_is_refused(production, headers):
    app = production()
    _person(app)

    response = _sign_in(app.test_client(), headers=headers)

    assert response.status_code == 400
    assert "/my/bookings" not in response.headers.get("Location", "")


@pytest.mark.parametrize(
    "headers",
    [{"Origin": PUBLIC}, {"Referer": f"{PUBLIC}/account/login"}],
    ids=["origin", "referer"],
)
def test_a_form_posted_from_this_site_signs_in(production, headers):
    app = production()
    _person(app)

    assert _sign_in(app.test_client(), headers=headers).status_code == 302


def test_referrer_policy_lets_our_own_pages_send_their_origin(client, db):
    response = client.get("/")

    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_password_reset_link_uses_the_public_address_not_the_host_header(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, PUBLIC_BASE_URL=PUBLIC)
    with app.app_context():
        person = factories.user(email="reset.me@example.org")
        _db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))
        _db.session.commit()

        response = app.test_client().post(
            "/account/forgot-password",
            base_url="https://attacker.example",
            data={"email": "reset.me@example.org"},
        )

        assert response.status_code == 302
        body = _db.session.query(Notification).filter_by(user_id=person.id).one().body
        _db.session.remove()
        _db.engine.dispose()
    assert "attacker.example" not in body
    assert f"{PUBLIC}/account/reset-password/" in body


def test_trainer_calendar_address_uses_the_public_address(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, PUBLIC_BASE_URL=PUBLIC)
    with app.app_context():
        with app.test_request_context("/", base_url="https://attacker.example"):
            page = app.jinja_env.from_string(
                "{{ external_url('trainer.calendar_feed', token='abc') }}"
            ).render()
        _db.engine.dispose()
    assert page.startswith(f"{PUBLIC}/trainer/")


def test_production_answers_only_its_own_host_names(production):
    app = production(EXTRA_TRUSTED_HOSTS=["waypoint.internal"])
    client = app.test_client()

    assert client.get("/healthz", base_url="https://attacker.example").status_code == 400
    assert client.get("/healthz", base_url=PUBLIC).status_code == 200
    assert client.get("/healthz", base_url="http://waypoint.internal:8000").status_code == 200


def test_production_refuses_to_start_without_a_public_address(production, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL")

    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        production()


def _failed_sign_ins(client, count, headers):
    statuses = []
    for _ in range(count):
        response = client.post(
            "/account/login",
            base_url=PUBLIC,
            headers=headers,
            data={"email": "nobody@example.org", "password": "wrong"},
        )
        statuses.append(response.status_code)
    return statuses


def test_without_a_declared_proxy_a_forged_forwarded_for_does_not_dodge_the_limit(production):
    app = production(LOGIN_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False)
    client = app.test_client()

    statuses = [
        _failed_sign_ins(client, 1, {"X-Forwarded-For": f"10.0.0.{number}"})[0]
        for number in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_behind_a_declared_proxy_each_person_has_their_own_limit(production):
    app = production(LOGIN_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False, PROXY_FIX_X_FOR=1)
    client = app.test_client()

    first = _failed_sign_ins(client, 3, {"X-Forwarded-For": "10.0.0.1"})
    second = _failed_sign_ins(client, 1, {"X-Forwarded-For": "10.0.0.2"})

    assert first == [200, 200, 429]
    assert second == [200]


def _redis_answers() -> bool:
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="Redis did not answer on 127.0.0.1:6379")
def test_the_sign_in_limit_is_kept_in_redis(production):
    prefix = f"waypoint-test-{uuid.uuid4().hex}"
    app = production(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_RATE_LIMIT="2 per minute",
        WTF_CSRF_ENABLED=False,
    )
    store = redis.Redis(host="127.0.0.1", port=6379)
    try:
        statuses = _failed_sign_ins(app.test_client(), 3, {})
        # A second app (another gunicorn worker) sees the same count.
        other = production(
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
            RATELIMIT_KEY_PREFIX=prefix,
            LOGIN_RATE_LIMIT="2 per minute",
            WTF_CSRF_ENABLED=False,
        )
        from_other_worker = _failed_sign_ins(other.test_client(), 1, {})
        keys = store.keys(f"*{prefix}*")
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()

    assert statuses == [200, 200, 429]
    assert from_other_worker == [429]
    assert keys, "the limiter should have written its counts to Redis"


def test_forms_may_lead_only_here_and_to_the_configured_payment_page(database_url):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        STRIPE_CHECKOUT_ORIGIN="http://127.0.0.1:8420",
    )
    policy = app.test_client().get("/").headers["Content-Security-Policy"]
    with app.app_context():
        _db.engine.dispose()

    assert "form-action 'self' http://127.0.0.1:8420;" in policy
    assert "checkout.stripe.com" not in policy


def test_when_redis_is_down_people_can_still_sign_in_and_the_limit_still_holds(production):
    # Nothing listens on port 1: the limiter's Redis is unreachable.
    app = production(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        LOGIN_RATE_LIMIT="2 per minute",
        WTF_CSRF_ENABLED=False,
    )

    assert _failed_sign_ins(app.test_client(), 3, {}) == [200, 200, 429]


def test_no_code_builds_an_absolute_link_from_the_request():
    root = Path(__file__).resolve().parents[2]
    request_built = re.compile(r"_external\s*=\s*True|host_url|url_root|request\.base_url")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("booking", "templates")
        for path in sorted((root / folder).rglob("*"))
        if path.suffix in {".py", ".html", ".txt"} and path.name != "links.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if request_built.search(line)
    ]

    assert offenders == [], "build absolute links with booking.web.links.external_url"


def test_links_in_messages_are_built_outside_a_request_too(database_url):
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=database_url, PUBLIC_BASE_URL=f"{PUBLIC}/booking/"
    )
    with app.app_context():
        link = links.claim_url("a-token")
        _db.engine.dispose()

    assert link == f"{PUBLIC}/booking/waiting-list/claim/a-token"
