"""The operations of the force API (/api/v1). Each view parses, calls one service function
scoped to the token's force, commits once and answers; errors are problem details."""

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from booking.api import schemas
from booking.api.auth import audit_call, rate_limit_key, require_token
from booking.api.problems import CONTENT_TYPE, from_http_exception, problem
from booking.database import unit_of_work
from booking.extensions import limiter
from booking.models import utcnow
from booking.services.errors import ReferralError
from booking.services.referrals import force_access, sharing
from booking.services.referrals.webhooks import outcome_date
from booking.web.policies import current_ending_policy

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Referrals in and outcomes out, for police forces' systems.",
)
bp.before_request(require_token)
bp.after_request(audit_call)


def _api_rate_limit() -> str:
    from flask import current_app

    return current_app.config["API_RATE_LIMIT"]


limiter.limit(_api_rate_limit, key_func=rate_limit_key)(bp)


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    return from_http_exception(error)


def _problems(*codes: int):
    """Document the problem answers an operation can give."""

    def decorator(view):
        for code in codes:
            view = bp.alt_response(
                code, schema=schemas.Problem, content_type=CONTENT_TYPE, description=_WHY[code]
            )(view)
        return view

    return decorator


_WHY = {
    400: "The request could not be read.",
    401: "No valid API token.",
    404: "No such referral for this force.",
    409: "It conflicts with what is already there.",
    422: "Some fields are missing or not valid.",
    429: "Too many calls: wait and try again.",
}
COMMON = (400, 401, 422, 429)


def _force():
    return g.api_force


@bp.route("/referrals")
class ReferralCollection(MethodView):
    @bp.arguments(schemas.ChangedQuery, location="query", unknown=RAISE)
    @bp.response(200, schemas.ReferralPage)
    @_problems(*COMMON)
    def get(self, query):
        """Referrals changed since a cursor

        Oldest change first. Without a cursor, every referral of the force. Keep the
        `next_cursor` and pass it next time to get only what changed since.
        """
        try:
            rows, cursor = force_access.changed_since(
                _force(), query["cursor"], limit=query["limit"]
            )
        except ValueError as error:
            return problem(400, "Bad Request", str(error))
        return {"items": rows, "next_cursor": cursor}

    @bp.arguments(schemas.IdempotencyHeader, location="headers")
    @bp.arguments(schemas.ReferralCreate, location="json")
    @bp.response(201, schemas.Referral, headers={"Location": {"schema": {"type": "string"}}})
    @_problems(409, *COMMON)
    def post(self, headers, body):
        """Create a referral

        Idempotent: retrying with the same `Idempotency-Key` returns the referral the first
        call made, even when the calls race. The same key with a different police reference,
        surname or date of birth is a 422; the same police reference without that key is a 409.
        """
        values = {
            key: (value.isoformat() if hasattr(value, "isoformat") else (value or ""))
            for key, value in body.items()
        }
        key = headers.get("idempotency_key")
        try:
            referral_id = _create_once(values, key)
        except ReferralError as error:
            return _refused(error)
        except ValueError as error:
            return problem(422, "Unprocessable Content", str(error).capitalize() + ".")
        if referral_id is None:
            return problem(409, "Conflict", "This referral is being created by another request.")
        referral = force_access.referral_for(_force(), referral_id)
        location = url_for("api.OneReferral", referral_id=referral_id)
        return referral, 201, {"Location": location}


def _create_once(values: dict[str, str], key: str | None) -> int | None:
    """The referral this create made or, for a repeated Idempotency-Key, the one the first
    made. None: it lost a race to a create without that key (or with another)."""
    try:
        with unit_of_work():
            created = force_access.create(
                _force(), values, idempotency_key=key, by=None, now=utcnow()
            )
            return created.referral.id
    except (IntegrityError, ValueError) as error:
        # Two creates with one key at the same moment: the other one won (its row now stands
        # in this one's way). They are the same request, so this caller gets the same 201 (or
        # the 422 for a different body). Without a key, or if it is not that, as it was.
        earlier = _made_with(key, values) if key else None
        if earlier is not None:
            return earlier
        if isinstance(error, ValueError):
            raise
        return None


def _made_with(key: str, values: dict[str, str]) -> int | None:
    with unit_of_work():
        earlier = force_access.replay(_force(), values, idempotency_key=key)
        return earlier.referral.id if earlier is not None else None


def _refused(error: ReferralError):
    # The same key with a different request is a mistake in the request: 422 says so.
    status = 422 if error.code == "idempotency_key_reused" else 409
    title = "Unprocessable Content" if status == 422 else "Conflict"
    return problem(status, title, error.message, **error.context)


@bp.route("/referrals/<int:referral_id>")
class OneReferral(MethodView):
    @bp.response(200, schemas.Referral)
    @_problems(404, 400, 401, 429)
    def get(self, referral_id: int):
        """One referral and its status"""
        referral = force_access.referral_for(_force(), referral_id)
        if referral is None:
            return problem(404, "Not Found", "No such referral for this force.")
        return referral


@bp.route("/referrals/<int:referral_id>/withdraw", methods=["POST"])
@bp.arguments(schemas.Withdrawal, location="json")
@bp.response(200, schemas.Referral)
@_problems(404, 409, *COMMON)
def withdraw(body, referral_id: int):
    """Withdraw a referral

    Any booked place is cancelled (and any fee refunded). A referral that already has an
    outcome cannot be withdrawn (409).
    """
    try:
        with unit_of_work():
            force_access.withdraw(
                _force(),
                referral_id,
                reason=body["reason"],
                by=None,
                now=utcnow(),
                policy=current_ending_policy(),
            )
    except ReferralError as error:
        if error.code == "referral_not_found":
            return problem(404, "Not Found", "No such referral for this force.")
        # Written for the force's system, not the attendee-facing message for this code.
        return problem(409, "Conflict", "The referral already has an outcome: it stays as it is.")
    return force_access.referral_for(_force(), referral_id)


@bp.route("/outcomes")
@bp.arguments(schemas.OutcomesQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.OutcomePage)
@_problems(*COMMON)
def outcomes(query):
    """Outcomes reached in a date range

    Completed, not completed and withdrawn referrals whose outcome was reached on a UK day from
    `from` to `to` inclusive, at most 366 days per answer (`covered_to` says how far this one
    went). Status and date only.
    """
    covered_to = force_access.covered_range(query["start"], query["end"])
    rows = (
        force_access.outcomes(_force(), query["start"], covered_to)
        if covered_to is not None
        else []
    )
    # Every item passes the force's agreement (the one allow-list the webhooks use too).
    agreement = sharing.current(_force().id)
    items = [
        sharing.share(agreement, sharing.outcome_record(agreement, row, outcome_date(row)))
        for row in rows
    ]
    return {"items": items, "covered_to": covered_to}


@bp.route("/sessions")
@bp.arguments(schemas.SessionsQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.SessionPage)
@_problems(*COMMON)
def sessions(query):
    """Sessions that fit a course type in the force's area

    Upcoming sessions with places, in the force's area or online, for booking on someone's
    behalf. `from` and `to` narrow the dates (UK days).
    """
    entries = force_access.sessions_that_fit(
        _force(),
        course_type=query["course_type"],
        date_from=query["start"],
        date_to=query["end"],
        now=utcnow(),
    )
    items = [
        {
            "id": entry.session.id,
            "course_type": entry.session.course_type.slug,
            "starts_at": entry.session.starts_at,
            "ends_at": entry.session.ends_at,
            "online": entry.session.is_online,
            "venue": entry.session.venue.name if entry.session.venue else None,
            "postcode": entry.session.venue.postcode if entry.session.venue else None,
            "women_only": entry.session.women_only,
            "places_left": entry.places_left,
        }
        for entry in entries
    ]
    return {"items": items}
