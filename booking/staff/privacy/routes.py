"""Staff: retention runs, the access log (and its export), a person's data, and erasure.

For admins and the safeguarding lead only. Looking at the log or at a person's data is itself
recorded, in the same audit table the log reads.
"""

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import Role, User, utcnow
from booking.services import audit
from booking.services.people import directory
from booking.services.privacy import access_log, erasure, retention, subject_access
from booking.services.privacy.policy import KIND_LABELS, RetentionPolicy
from booking.staff.privacy.forms import AccessLogForm, EraseForm, FindPersonForm
from booking.web.found import or_404
from booking.web.security import role_required

bp = Blueprint("privacy", __name__)


@bp.before_request
@role_required(Role.ADMIN, Role.SAFEGUARDING)
def require_privacy_roles():
    """Admins and the safeguarding lead only."""


def _policy() -> RetentionPolicy:
    return RetentionPolicy.from_config(current_app.config)


@bp.get("/")
def index():
    """The retention policy in force, and the record of each run."""
    return render_template(
        "staff/privacy/index.html",
        policy=_policy(),
        runs=retention.recent_runs(),
        labels=KIND_LABELS,
        find_form=FindPersonForm(formdata=None),
    )


def _log_form() -> AccessLogForm:
    form = AccessLogForm(request.args)
    form.staff.choices = [(0, "Anyone")] + [
        (person.id, f"{person.first_name} {person.last_name} ({person.role.value})")
        for person in access_log.staff_members()
    ]
    return form


def _filters(form: AccessLogForm) -> access_log.Filters | None:
    """The filters asked for, or None (with a message beside the field) if they are not right."""
    if request.args and not form.validate():
        return None
    person_id = None
    if form.person.data and form.person.data.strip():
        person = access_log.find_person(form.person.data)
        if person is None:
            form.person.errors = ["No person matches this. Check it and try again."]
            return None
        person_id = person.id
    return access_log.Filters(
        person_id=person_id,
        actor_id=form.staff.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _record_log_use(action: str, filters: access_log.Filters) -> None:
    with unit_of_work():
        entity_type, entity_id = (
            ("user", filters.person_id) if filters.person_id else ("access_log", None)
        )
        detail = filters.as_detail()
        audit.record(action, entity_type, entity_id, actor=current_user, now=utcnow(), **detail)


def _same_filters() -> dict[str, Any]:
    """The page's own query string, for a link to the same rows as CSV."""
    return request.args.to_dict()


@bp.get("/access-log")
def access_log_page():
    """Who viewed or changed what, filtered by person, staff member and date."""
    form = _log_form()
    filters = _filters(form)
    if filters is None:
        return render_template("staff/privacy/access_log.html", form=form, rows=None), 400
    _record_log_use("access_log.viewed", filters)
    rows = access_log.entries(filters)
    return render_template(
        "staff/privacy/access_log.html",
        form=form,
        rows=rows,
        limit=access_log.LIMIT,
        export_url=url_for("staff.privacy.access_log_csv", **_same_filters()),
        actor_name=access_log.actor_name,
    )


@bp.get("/access-log.csv")
def access_log_csv():
    """The same rows as a CSV file; the export is itself logged."""
    form = _log_form()
    filters = _filters(form)
    if filters is None:
        return render_template("staff/privacy/access_log.html", form=form, rows=None), 400
    _record_log_use("access_log.exported", filters)
    body = access_log.csv_text(access_log.entries(filters))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=access-log.csv"},
    )


@bp.get("/people")
def find_person():
    form = FindPersonForm(request.args)
    if request.args and form.validate():
        person = access_log.find_person(form.person.data)
        if person is not None:
            return redirect(url_for("staff.privacy.person", person_id=person.id))
        form.person.errors = ["No person matches this. Check it and try again."]
    status = 400 if request.args else 200
    return render_template("staff/privacy/find_person.html", form=form), status


def _person_or_404(person_id: int) -> User:
    return or_404(directory.person(person_id))


def _data(person_id: int, action: str) -> dict:
    """Everything held about the person; who produced it, and when, is recorded first."""
    now = utcnow()
    with unit_of_work():
        audit.record(action, "user", person_id, actor=current_user, now=now)
    return subject_access.person_data(_person_or_404(person_id), now=now)


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    """Subject access as a readable page, with the same data as a JSON file one click away,
    and erasure (or the plain reason it is refused)."""
    return _person_page(person_id, EraseForm(formdata=None))


def _person_page(
    person_id: int,
    form: EraseForm,
    status: int = 200,
    refused: erasure.ErasureRefused | None = None,
):
    _person_or_404(person_id)
    data = _data(person_id, "person.data_viewed")
    person = _person_or_404(person_id)
    refused = refused or erasure.refusal(person, policy=_policy(), now=utcnow())
    return (
        render_template(
            "staff/privacy/person.html",
            person=person,
            data=data,
            titles=subject_access.SECTION_TITLES,
            refused=refused,
            form=form,
            kept_note=erasure.kept_note(_policy()),
        ),
        status,
    )


@bp.get("/people/<int:person_id>/data.json")
def person_json(person_id: int):
    _person_or_404(person_id)
    data = _data(person_id, "person.data_exported")
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=person-{person_id}.json"},
    )


@bp.post("/people/<int:person_id>/erase")
def erase(person_id: int):
    """Anonymise the person now, with a reason, or say plainly why not."""
    _person_or_404(person_id)
    form = EraseForm()
    if not form.validate():
        return _person_page(person_id, form, 400)
    try:
        with unit_of_work():
            erasure.erase(
                _person_or_404(person_id),
                reason=form.reason.data,
                by=current_user,
                policy=_policy(),
                now=utcnow(),
            )
    except erasure.ErasureRefused as refused:
        return _person_page(person_id, form, refused.http_status, refused=refused)
    flash(f"Their details have been removed. {erasure.kept_note(_policy())}", "success")
    return redirect(url_for("staff.privacy.person", person_id=person_id))
