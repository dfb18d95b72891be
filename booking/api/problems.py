"""Errors as RFC 9457 problem details (``application/problem+json``), for every API answer
that is not a success: a force's system gets a status, a stable ``type`` and a plain ``detail``.
"""

import time

from flask import Response, json
from werkzeug.exceptions import HTTPException

from booking.extensions import limiter

# Said when the limiter cannot tell when its window resets (its storage is down).
DEFAULT_RETRY_AFTER_SECONDS = 60

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://waypoint.example/problems/"


def problem(status: int, title: str, detail: str = "", **extra: object) -> Response:
    body: dict[str, object] = {
        "type": TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update({key: value for key, value in extra.items() if value is not None})
    return Response(json.dumps(body), status=status, content_type=CONTENT_TYPE)


def from_http_exception(error: HTTPException) -> Response:
    """Any HTTP error raised on an API route (or an API address that is not a route)."""
    status = error.code or 500
    extra: dict[str, object] = {}
    # webargs (through flask-smorest) attaches the field-by-field reasons a request was refused.
    data = getattr(error, "data", None) or {}
    if isinstance(data, dict) and data.get("messages"):
        extra["errors"] = data["messages"]
    detail = error.description if isinstance(error.description, str) else ""
    if status == 422 and extra:
        detail = "Some fields are missing or not valid: see errors."
    response = problem(status, error.name, detail, **extra)
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    if status == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(_seconds_until_the_limit_resets())
    return response


def _seconds_until_the_limit_resets() -> int:
    """Whole seconds until the limit that refused this call lets the next one through."""
    current = limiter.current_limit
    if current is None:
        return DEFAULT_RETRY_AFTER_SECONDS
    return max(1, int(current.reset_at - time.time()) + 1)
