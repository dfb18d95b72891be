"""Error pages, and domain errors turned into a calm message instead of a 500."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from booking.extensions import db
from booking.models import STAFF_ROLES
from booking.services.errors import BookingError, DomainError
from booking.web.csrf import from_another_site
from booking.web.forms import CSRF_REFUSED, RuleRefusal

ErrorAnswer = Callable[[HTTPException], Response]
KEEPS_TYPED = "shows_form_again_without_token"


def shows_form_again_without_token(view: Callable) -> Callable:
    """Mark a page whose POST is handled only through its form (so a refused token changes
    nothing): when the session was lost, the page is shown again as typed, in plain words."""
    setattr(view, KEEPS_TYPED, True)
    return view


def answer_errors_under(app: Flask, path_prefix: str, answer: ErrorAnswer) -> None:
    """Answer HTTP errors for paths under ``path_prefix`` with ``answer`` instead of the HTML
    error page (the force API answers problem details, even for a path that is not a route)."""
    app.extensions.setdefault("error_answers", {})[path_prefix] = answer


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
        for path_prefix, answer in app.extensions.get("error_answers", {}).items():
            if request.path.startswith(path_prefix):
                return answer(error)
        refused = g.get("refused_form") if error.code == 400 else None
        return _error_page(error, error.code or 500, refused=refused)

    app.register_error_handler(CSRFError, _lost_session(http_error))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        _roll_back_quietly()
        if g.get("database_failed"):
            # The database is what failed: show the message without reading anything more.
            return _error_page(error, error.http_status)
        shown_again = _form_shown_again(error)
        if shown_again is not None:
            return shown_again
        refusal = g.get("rule_refusal")
        if refusal is None or not refusal.flashed:
            flash(wording(error), "error")
        if request.method == "POST" and request.referrer:
            return redirect(_same_site(request.referrer)), 303
        return _error_page(error, error.http_status)

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        # Every PostgreSQL connection waits at most a few seconds for a row lock: a wait that
        # runs out anywhere (not only in the lock helpers, which already say "busy") is the
        # same calm "try again", never a 500. So is a connection cut mid-request (a database
        # restart, a failover): its transaction was rolled back, so nothing was saved, and
        # the pool's pre-ping gives the next request a live connection.
        if _busy(error):
            return domain_error(BookingError("busy"))
        return unexpected_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error")
        _roll_back_quietly(failed=isinstance(error, SQLAlchemyError))
        return _error_page(None, 500)


def _roll_back_quietly(*, failed: bool = False) -> None:
    """Roll back what failed; a connection that is already gone must not turn the error page
    itself into a bare server error. ``failed``: the database is what failed."""
    if failed:
        g.database_failed = True
    try:
        db.session.rollback()
    except SQLAlchemyError:
        g.database_failed = True
        current_app.logger.warning("Could not roll back after an error", exc_info=True)


def _error_page(error: object, status: int, **page: object):
    """The branded error page, even with the database down: when the database failed (or the
    page needs it and it fails now), the page is drawn for nobody signed in, since loading the
    signed-in user would go to the database again."""
    if not g.get("database_failed"):
        try:
            return render_template("error.html", error=error, **page), status
        except SQLAlchemyError:
            current_app.logger.warning("Error page could not load the user", exc_info=True)
            _roll_back_quietly()
    # Flask-Login's template context loads the user unless this request already has one.
    g._login_user = AnonymousUserMixin()  # noqa: SLF001 - Flask-Login's documented request slot
    return render_template("error.html", error=error, **page), status


# SQLSTATE classes of a connection that went away: 08 (connection exception) and 57P01-57P03
# (the server shut the session down: pg_terminate_backend, a restart, a failover).
_CONNECTION_GONE_STATES = ("08", "57P01", "57P02", "57P03")


def _busy(error: OperationalError) -> bool:
    """A lock wait that ran out, or a connection lost mid-request (noted, so the answer is
    drawn without the database)."""
    if _waited_too_long_for_a_lock(error):
        return True
    if _connection_lost(error):
        current_app.logger.warning("Database connection lost: answered busy", exc_info=True)
        g.database_failed = True
        return True
    return False


def _connection_lost(error: OperationalError) -> bool:
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return sqlstate.startswith(_CONNECTION_GONE_STATES)


def _lost_session(fallback: Callable[[HTTPException], object]) -> Callable:
    """A form from this site whose token no longer matches (the session cookie was lost or ran
    out): the page is shown again as typed, with plain words and a fresh token."""

    def lost_session(error: CSRFError):
        shown_again = _form_shown_again_without_token()
        return shown_again if shown_again is not None else fallback(error)

    return lost_session


def _form_shown_again_without_token():
    """The page of a refused form, shown again with what was typed; None for a request from
    another site, or a POST-only action that has no page of its own."""
    if request.method != "POST" or from_another_site() is not None:
        return None
    if request.url_rule is None or "GET" not in (request.url_rule.methods or ()):
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not getattr(view, KEEPS_TYPED, False):
        return None
    request.environ[CSRF_REFUSED] = True  # this request only (g can outlive it in tests)
    try:
        response = make_response(view(**(request.view_args or {})))
    except (DomainError, HTTPException):
        db.session.rollback()
        return None
    if response.status_code not in (200, 400):
        return None  # the view acted or moved on: never, since its form was refused
    response.status_code = 400
    return response


def wording(error: DomainError) -> str:
    """A refusal in the words for whoever is acting: staff (on any page) are told what they
    can do for the person; the person is told what they can do themselves."""
    acting = current_user
    staff = bool(getattr(acting, "is_authenticated", False)) and acting.role in STAFF_ROLES
    return error.message_for(staff=staff)


def _waited_too_long_for_a_lock(error: OperationalError) -> bool:
    """PostgreSQL's lock_timeout (SQLSTATE 55P03), or SQLite's busy timeout."""
    if getattr(error.orig, "sqlstate", None) == "55P03":
        return True
    return "database is locked" in str(error.orig)


def _form_shown_again(error: DomainError):
    """Show the form a rule refused again, as typed, with the rule's message beside its field.

    A form that passed its own checks can still be refused by a rule (capacity below the places
    taken, an amount not due). Rather than a generic page that loses what was typed, the same
    view runs once more: its form, given the refusal, is invalid this time, so the view shows
    its page with the typed values (the transaction was rolled back: nothing changed). None
    when there is no such form, or the view does not show one (then the caller flashes).
    """
    form_class = g.get("submitted_form_class")
    if request.method != "POST" or form_class is None or g.get("rule_refusal") is not None:
        return None
    if not g.get("form_shown_again_on_refusal"):  # set by the staff gate: admin forms only
        return None
    if request.url_rule is None or "GET" not in (request.url_rule.methods or ()):
        return None  # a POST-only action has no page of its own to show again
    field = error.context.get("field")
    beside = field if isinstance(field, str) else None
    refusal = RuleRefusal(form_class, error.code, wording(error), beside)
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    g.rule_refusal = refusal
    if refusal.beside is None:
        flash(refusal.message, "error")  # no field of its own: shown above the form
        refusal.flashed = True
    try:
        response = make_response(view(**(request.view_args or {})))
    except (DomainError, HTTPException):
        db.session.rollback()
        response = None
    # The page itself (200, or the 400 a view gives a form with errors), not a redirect.
    if response is not None and refusal.shown and response.status_code in (200, 400):
        response.status_code = 400  # a refused form: nothing changed
        return response
    # The view did not show its form again: the caller falls back to the message alone.
    return None


def _same_site(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")
