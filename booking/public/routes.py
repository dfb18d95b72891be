"""Public pages: home, catalogue, a session's page, health check, accessibility statement."""

from flask import abort, current_app, render_template, request
from flask_login import current_user

from booking.database import database_answers
from booking.jobs import health, worker
from booking.models import utcnow
from booking.public import areas
from booking.public.blueprint import bp
from booking.public.forms import CatalogueFilterForm
from booking.services.bookings import catalogue, places
from booking.services.people import preferences
from booking.services.privacy.policy import RetentionPolicy
from booking.web.caching import anonymous_page, remembered, render_from

SEARCH_KEYS = (
    "place",
    "area",
    "course_type",
    "date_from",
    "date_to",
    "women_only",
    "referred",
    "page",
)


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
        # A town or postcode picks the area, unless an area was chosen too.
        typed_area = places.area_for(form.place.data or "") if form.place.data else None
        filters = catalogue.CatalogueFilters(
            area=form.area.data or typed_area or "",
            course_type=form.course_type.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            women_only=bool(form.women_only.data),
            referred=form.referred.data or "",
        )
    page = request.args.get("page", 1, type=int) or 1
    women_only_first = preferences.prefers_women_only(current_user)
    results = catalogue.listing(
        filters,
        page=page,
        per_page=current_app.config["CATALOGUE_PAGE_SIZE"],
        now=utcnow(),
        women_only_first=women_only_first,
    )
    # Everything the page shows that does not follow from its address.
    inputs = (
        tuple(results.entries),
        results.page,
        results.pages,
        results.total,
        women_only_first,
        tuple(form.area.choices),
        tuple(form.course_type.choices),
    )
    return render_from(
        inputs,
        "public/sessions.html",
        form=form,
        results=results,
        women_only_first=women_only_first,
        search=search_args(),
    )


@bp.get("/sessions/<int:session_id>")
@anonymous_page
def session_detail(session_id: int):
    """One session: what, when, where, access facts, places left, and a Book button."""
    now = utcnow()
    details = catalogue.session_details(session_id, now=now)
    if details is None:
        abort(404)
    has_started = details.starts_at <= now
    return render_from(
        (details, has_started),
        "public/session.html",
        s=details,
        has_started=has_started,
        search=search_args(),
    )


@bp.get("/privacy")
def privacy_notice():
    """What we keep about people, why, for how long, who sees it, and how to ask for it."""
    return render_template(
        "public/privacy.html", policy=RetentionPolicy.from_config(current_app.config)
    )


@bp.get("/accessibility")
def accessibility():
    """Accessibility statement."""
    return render_template("public/accessibility.html")


@bp.get("/healthz")
def healthz():
    """Liveness and database check for the load balancer."""
    if not database_answers():
        current_app.logger.error("Health check could not reach the database")
        return {"status": "error", "database": "error"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/healthz/worker")
def worker_healthz():
    """The worker's heartbeat, queue depth and the oldest late message and waiting refund:
    503 past a threshold, so an operator's alarm sees a stalled worker in minutes."""
    state = health.check(now=utcnow(), queue_depth=worker.queue_depth())
    if state is None:
        return {"status": "error", "database": "error"}, 503
    return state.as_dict(), 200 if state.ok else 503


def search_args() -> dict[str, str]:
    """The catalogue's filters from the query string, carried to a session's page and back, so
    "Back to all sessions" returns to the same results."""
    return {key: value for key, value in request.args.items() if key in SEARCH_KEYS and value}


def _filter_form() -> CatalogueFilterForm:
    form = CatalogueFilterForm(request.args)
    places = sorted(
        (areas.area_label(slug, name), slug)
        for slug, name in remembered("area_choices", catalogue.area_choices)
    )
    form.area.choices = [
        ("", "Any area"),
        (catalogue.ONLINE, "Online only"),
    ] + [(slug, label) for label, slug in places]
    form.course_type.choices = [("", "Any course")] + remembered(
        "course_type_choices", catalogue.course_type_choices
    )
    return form
