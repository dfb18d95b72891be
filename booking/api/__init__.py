"""The force API: versioned JSON under /api/v1, described by OpenAPI 3.1 at
/api/v1/openapi.json, with a readable page at /api/v1/docs.

Built with flask-smorest (pinned): it works with this app as it is (a plain Flask app and
ordinary blueprints registered in create_app, no app subclass as flask-openapi3 needs), one
marshmallow schema per resource both validates requests and documents them, and it is widely
used and kept up to date. apispec writes OpenAPI 3.1 when told (OPENAPI_VERSION = "3.1.0"):
nullable fields become ``type: [..., "null"]``. Its Swagger/ReDoc pages load scripts from a
CDN, which our Content-Security-Policy forbids, so the docs page is our own template rendered
from the same document: no script at all, only our stylesheet.

CSRF: the API is exempt. CSRF abuses a browser's cookies; the API never reads the session
cookie and accepts only ``Authorization: Bearer``, a header a browser never adds by itself to
another site's request, so a forged cross-site request carries no credentials to abuse.
"""

from flask import Flask, current_app, json, render_template
from flask_smorest import Api

from booking.api.schemas import Problem

API_PREFIX = "/api/v1"


class WaypointApi(Api):
    """flask-smorest's Api, minus its app-wide JSON error pages: the rest of the site keeps its
    own HTML error pages, and the API blueprint answers its errors as problem details."""

    # Every error answer an operation can give is documented on it as problem details.
    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        return None

    def _openapi_json(self):
        """The document as served: with today's date windows and the course types there are."""
        return current_app.response_class(
            json.dumps(document(), indent=2, sort_keys=False), mimetype="application/json"
        )


def document() -> dict:
    from booking.api.schemas import with_todays_limits
    from booking.models import utcnow
    from booking.services.referrals import queries, reminders

    spec = current_app.extensions["waypoint_api"].spec.to_dict()
    return with_todays_limits(
        spec,
        today=reminders.today_in_uk(utcnow()),
        course_slugs=sorted(row.slug for row in queries.course_types()),
    )


SETTINGS = {
    "API_TITLE": "Waypoint force API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": API_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
}


def register(app: Flask) -> None:
    from booking.api.problems import from_http_exception
    from booking.api.routes import bp
    from booking.extensions import csrf
    from booking.web import errors

    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    api = WaypointApi(
        app,
        spec_kwargs={
            "info": {
                "description": (
                    "Referrals in and outcomes out for police forces. Authenticate with "
                    "`Authorization: Bearer <token>` (a token made for your force by Waypoint "
                    "staff). Errors are RFC 9457 problem details. Outcomes carry status and "
                    "date only: never needs, disclosures or payments."
                )
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    csrf.exempt(bp)
    app.extensions["waypoint_api"] = api
    app.add_url_rule(f"{API_PREFIX}/docs", "api_docs_page", docs_page)
    # A force's system gets problem details even for an address that is not a route.
    errors.answer_errors_under(app, "/api/", from_http_exception)


def docs_page():
    """The OpenAPI document as a plain page: every operation, its fields and its answers."""
    return render_template("api/docs.html", spec=document())
