"""Signing in and out, and how recently this session was opened by an emailed link.

The signed-in identity is "<user id>:<session version>" (User.get_id), so bumping the version
ends every session and remember cookie that carries the old one.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

from flask import current_app, request, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from booking.database import remember_signed_in_user
from booking.services.people import access_links, accounts
from booking.web import links

LINK_SIGN_IN_KEY = "signed_in_by_link_at"
# A random name for this browser's sign-in, so it alone can be ended on the server.
BROWSER_TOKEN_KEY = "browser_session"


def access_link_url(token: str) -> str:
    """The absolute sign-in link put in a message."""
    return f"{links.base_url()}/referral/link/{token}"


def load_user(session_id: str):
    """Flask-Login's user loader: refuses a stale session version."""
    person = accounts.user_for_session_id(session_id, browser_token=session.get(BROWSER_TOKEN_KEY))
    if person is not None:
        remember_signed_in_user(person)
    return person


def sign_in(person, *, now: datetime, by_link: bool = False) -> None:
    session.pop(LINK_SIGN_IN_KEY, None)
    login_user(person)
    session[BROWSER_TOKEN_KEY] = secrets.token_urlsafe(32)
    if by_link:
        session[LINK_SIGN_IN_KEY] = now.timestamp()


def carry_over(person) -> None:
    """Keep this session signed in after its version moved on (a password change here).
    The time of a link sign-in is kept, so the change does not extend its freshness."""
    signed_in_by_link_at = session.get(LINK_SIGN_IN_KEY)
    login_user(person)
    if signed_in_by_link_at is not None:
        session[LINK_SIGN_IN_KEY] = signed_in_by_link_at


def sign_out() -> None:
    session.pop(LINK_SIGN_IN_KEY, None)
    session.pop(BROWSER_TOKEN_KEY, None)
    logout_user()


def this_browser_token() -> str | None:
    """The name of this browser's sign-in, for ending it on the server."""
    token = session.get(BROWSER_TOKEN_KEY)
    return token if isinstance(token, str) else None


def signed_in_by_link_recently(now: datetime) -> bool:
    signed_in_at = session.get(LINK_SIGN_IN_KEY)
    if not isinstance(signed_in_at, int | float):
        return False
    return 0 <= now.timestamp() - signed_in_at < access_links.FRESH_LINK_SECONDS


# A browser that has signed in to an account before: its cookie names the accounts (a keyed
# digest of each address, never the address itself), signed so it cannot be made up.
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SECONDS = 365 * 24 * 60 * 60
KNOWN_DEVICE_ACCOUNTS = 5


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _account_digest(email: str) -> str:
    key = f"known-device:{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:20]


def _known_accounts() -> list[str]:
    try:
        names = _device_serializer().loads(request.cookies.get(KNOWN_DEVICE_COOKIE, ""))
    except BadSignature:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def known_device(email: str) -> bool:
    """Whether this browser signed in to the account with this (normalised) address before."""
    return _account_digest(email) in _known_accounts()


def remember_device(response: Response, email: str) -> None:
    """Note on the browser that it signed in to this account (kept for a year)."""
    digest = _account_digest(email)
    names = [digest, *(name for name in _known_accounts() if name != digest)]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _device_serializer().dumps(names[:KNOWN_DEVICE_ACCOUNTS]),
        max_age=KNOWN_DEVICE_SECONDS,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
