"""Public pages: home, catalogue, a session's page, health check, accessibility statement."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import text

from booking.extensions import db
from booking.models import utcnow
from booking.public.forms import CatalogueFilterForm
from booking.services.bookings import catalogue
from booking.services.people import preferences
from booking.web.caching import anonymous_page, remembered

bp = Blueprint("public", __name__)


@bp.get("/")
@anonymous_page
def home():
    """Start page: find a session."""
    form = _filter_form()
    return render_template("public/home.html", form=form)


@bp.get("/sessions")
@anonymous_page
def sessions():
    """The catalogue, filtered and paginated."""
    form = _filter_form()
    filters = catalogue.CatalogueFilters()
    if form.validate():
        filters = catalogue.CatalogueFilters(
            area=form.area.data or "",
            course_type=form.course_type.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            women_only=bool(form.women_only.data),
        )
    page = request.args.get("page", 1, type=int) or 1
    women_only_first = preferences.prefers_women_only(current_user)
    results = catalogue.search(
        filters,
        page=page,
        per_page=current_app.config["CATALOGUE_PAGE_SIZE"],
        now=utcnow(),
        women_only_first=women_only_first,
    )
    return render_template(
        "public/sessions.html", form=form, results=results, women_only_first=women_only_first
    )


@bp.get("/sessions/<int:session_id>")
@anonymous_page
def session_detail(session_id: int):
    """One session: what, when, where, access facts, places left, and a Book button."""
    now = utcnow()
    found = catalogue.session_with_places_left(session_id, now=now)
    if found is None:
        abort(404)
    course_session, places_left = found
    return render_template(
        "public/session.html",
        course_session=course_session,
        places_left=places_left,
        has_started=course_session.starts_at <= now,
    )


@bp.get("/accessibility")
def accessibility():
    """Accessibility statement."""
    return render_template("public/accessibility.html")


@bp.get("/healthz")
def healthz():
    """Liveness and database check for the load balancer."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # any failure to reach the database means "not healthy"
        current_app.logger.exception("Health check could not reach the database")
        return {"status": "error", "database": "error"}, 503
    return {"status": "ok", "database": "ok"}


def _filter_form() -> CatalogueFilterForm:
    form = CatalogueFilterForm(request.args)
    form.area.choices = [
        ("", "Any area"),
        (catalogue.ONLINE, "Online only"),
    ] + remembered("area_choices", catalogue.area_choices)
    form.course_type.choices = [("", "Any course")] + remembered(
        "course_type_choices", catalogue.course_type_choices
    )
    return form
