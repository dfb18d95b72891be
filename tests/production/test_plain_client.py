"""The deployed app through a plain HTTPS client: no browser, no Referer, the real gunicorn."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
import redis

pytestmark = pytest.mark.production

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """An HTTPS client that trusts only the test CA, keeps cookies and never sends a Referer."""

    def __init__(self, deployed) -> None:
        self.base = deployed.url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=deployed.ssl_context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect,
        )

    def open(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=20) as answer:
                return answer.status, answer.headers, answer.read().decode()
        except urllib.error.HTTPError as answer:  # 3xx (not followed) and 4xx arrive here
            with answer:
                return answer.code, answer.headers, answer.read().decode()

    def token(self, path):
        status, _, page = self.open(path)
        assert status == 200
        return TOKEN.search(page).group(1)


def test_a_form_posted_over_https_without_a_referer_gets_a_normal_answer(deployed):
    client = Client(deployed)
    token = client.token("/account/login")

    wrong = client.open(
        "/account/login",
        data={"csrf_token": token, "email": deployed.email, "password": "not the password"},
    )
    right = client.open(
        "/account/login",
        data={"csrf_token": token, "email": deployed.email, "password": deployed.password},
        # What a proxy that ends TLS adds; gunicorn trusts it from 127.0.0.1.
        headers={"X-Forwarded-Proto": "https"},
    )

    assert wrong[0] == 200
    assert "The email address or password is not right." in wrong[2]
    assert right[0] == 302 and right[1]["Location"] == "/my/bookings"
    status, _, page = client.open("/my/bookings")
    assert status == 200 and "My bookings" in page


def test_a_form_posted_from_another_site_is_refused(deployed):
    client = Client(deployed)
    token = client.token("/account/login")

    status, _, _ = client.open(
        "/account/login",
        data={"csrf_token": token, "email": deployed.email, "password": deployed.password},
        headers={"Origin": "https://attacker.example"},
    )

    assert status == 400


def test_headers_cookies_and_hosts_as_deployed(deployed):
    client = Client(deployed)

    status, headers, _ = client.open("/account/login")
    forged, _, forged_page = client.open("/account/login", headers={"Host": "attacker.example"})

    assert status == 200
    assert headers["Referrer-Policy"] == "same-origin"
    assert "max-age=" in headers["Strict-Transport-Security"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert all("Secure" in cookie for cookie in headers.get_all("Set-Cookie"))
    assert forged == 400 and "attacker.example" not in forged_page


def test_sign_in_attempts_are_counted_in_redis(deployed):
    client = Client(deployed)
    token = client.token("/account/login")
    client.open("/account/login", data={"csrf_token": token, "email": "x@example.org"})

    store = redis.Redis(host="127.0.0.1", port=6379, db=int(deployed.redis_db))
    try:
        keys = [key.decode() for key in store.scan_iter(f"*{deployed.redis_prefix}*")]
    finally:
        store.close()

    assert any("login" in key for key in keys), keys
