"""Signing in and out, and how recently this session was opened by an emailed link.

The signed-in identity is "<user id>:<session version>" (User.get_id), so bumping the version
ends every session and remember cookie that carries the old one.
"""

import secrets
from datetime import datetime

from flask import session
from flask_login import login_user, logout_user

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
