"""Police forces (which are partners) and their schemes, managed by staff."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import Scheme, utcnow
from booking.services.errors import ScheduleError
from booking.services.schedule import areas, queries
from booking.staff.schedule.blueprint import bp
from booking.staff.schedule.desk_forms import ForceForm, SchemeForm
from booking.web.found import or_404


@bp.get("/forces")
def forces():
    """Every police force, partner or not, with a partner switch for each."""
    return render_template("staff/schedule/forces.html", forces=areas.forces(), form=ForceForm())


@bp.post("/forces/<int:force_id>")
def force_edit(force_id: int):
    """Mark a force as a partner (its area is offered and trainers can cover it) or not."""
    form = ForceForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work():
        force = or_404(queries.force(force_id))
        areas.set_partner(force, bool(form.is_partner.data), by=current_user, now=utcnow())
        name = force.name
    flash(f"{name} saved.", "success")
    return redirect(url_for("staff.schedule.forces"), 303)


@bp.get("/schemes")
def schemes():
    """Every scheme with its force, disposal types, days, fee and courses."""
    return render_template("staff/schedule/schemes.html", schemes=areas.schemes())


def _scheme_form(scheme: Scheme | None) -> SchemeForm:
    form = SchemeForm(obj=scheme)
    form.force_id.choices = [(f.id, f.name) for f in areas.forces()]
    form.course_type_ids.choices = queries.course_type_names()
    if scheme is not None and not form.is_submitted():
        form.course_type_ids.data = [c.id for c in scheme.course_types]
        form.disposal_types.data = ", ".join(scheme.disposal_types.split(","))
        fee = scheme.fee_pence
        form.fee.data = "" if fee is None else f"{fee // 100}.{fee % 100:02d}"
    return form


@bp.route("/schemes/new", methods=["GET", "POST"])
@bp.route("/schemes/<int:scheme_id>", methods=["GET", "POST"])
def scheme_edit(scheme_id: int | None = None):
    """Create or change a scheme; what was typed stays, with any error beside its field."""
    scheme = or_404(queries.scheme(scheme_id)) if scheme_id else None
    form = _scheme_form(scheme)
    if form.validate_on_submit():
        details = areas.SchemeDetails(
            force_id=form.force_id.data,
            name=form.name.data,
            disposal_types=form.disposal_types.data,
            days_to_complete=form.days_to_complete.data,
            fee_pence=form.fee.pence,
            course_type_ids=form.course_type_ids.data or [],
            is_active=bool(form.is_active.data),
        )
        try:
            with unit_of_work():
                current = queries.scheme(scheme_id) if scheme_id else None
                areas.save_scheme(current, details, by=current_user, now=utcnow())
        except ScheduleError as error:
            field = {
                "scheme_needs_disposal": form.disposal_types,
                "scheme_force": form.force_id,
                "scheme_courses": form.course_type_ids,
            }.get(error.code, form.name)
            field.errors.append(error.staff_message)
        else:
            flash("Scheme saved.", "success")
            return redirect(url_for("staff.schedule.schemes"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("staff/schedule/scheme_form.html", form=form, scheme=scheme), status
