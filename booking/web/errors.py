"""Error pages, and domain errors turned into a calm message instead of a 500."""

from urllib.parse import urlsplit

from flask import Flask, flash, g, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from booking.extensions import db
from booking.services.errors import DomainError


def init_app(app: Flask) -> None:
    @app.after_request
    def refused_form_is_400(response):
        # A POST whose form failed validation and came back as the page with its messages
        # changed nothing: say so with 400 rather than 200.
        if g.get("refused_form") is not None and response.status_code == 200:
            response.status_code = 400
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            # A force's system gets problem details even for an address that is not a route.
            from booking.api.problems import from_http_exception

            return from_http_exception(error)
        refused = g.get("refused_form") if error.code == 400 else None
        return render_template("error.html", error=error, refused=refused), error.code

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        flash(error.message, "error")
        if request.method == "POST" and request.referrer:
            return redirect(_same_site(request.referrer)), 303
        return render_template("error.html", error=error), error.http_status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return render_template("error.html", error=None), 500


def _same_site(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")
