"""Bearer-token sign-in for the API, its rate limit key, and the audit of every call."""

import hashlib

from flask import g, request
from flask_limiter.util import get_remote_address

from booking.api.problems import problem
from booking.database import unit_of_work
from booking.models import utcnow
from booking.services import audit
from booking.services.referrals import queries, tokens


def presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def rate_limit_key() -> str:
    """One budget per token (a hash, so the key never holds the token); per address without."""
    token = presented_token()
    if token is None:
        return f"api-anonymous:{get_remote_address()}"
    return "api-token:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def require_token():
    """Before every API view: a live token, whose force scopes everything the view does."""
    token = presented_token()
    row = tokens.authenticate(token) if token else None
    if row is None:
        g.api_refused = True
        response = problem(401, "Unauthorized", "Send a valid API token as: Bearer <token>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="waypoint"'
        return response
    g.api_token_id = row.id
    g.api_force = row.force
    return None


def audit_call(response):
    """After every API call, in its own short transaction: who called, what, and the answer."""
    token_id = g.get("api_token_id")
    if token_id is None and not g.get("api_refused"):
        return response
    with unit_of_work():
        now = utcnow()
        row = queries.api_token(token_id) if token_id else None
        if row is not None:
            tokens.record_call(
                row,
                method=request.method,
                path=request.full_path.rstrip("?"),
                status=response.status_code,
                now=now,
            )
        else:
            audit.record(
                "api.refused",
                "api_token",
                None,
                actor=None,
                now=now,
                method=request.method,
                path=request.path[:200],
            )
    return response
