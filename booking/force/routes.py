"""A force contact's pages: refer people (one at a time or a CSV), follow their referrals'
status and outcomes, download the outcome report. Everything is scoped to the contact's own
force; needs, disclosures, payments and help requests are never shown here."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.force.forms import ForceReferralForm, ForceReportForm, ForceUploadForm
from booking.models import PoliceForce, Role, utcnow
from booking.services.referrals import admin as referral_admin
from booking.services.referrals import force_access, queries, reminders, webhooks
from booking.web import referral_entry
from booking.web.security import refusal

bp = Blueprint("force", __name__)


@bp.before_request
def require_force_contact():
    """Force contacts of one force only; anyone else is sent to sign in or refused."""
    refused = refusal((Role.FORCE_CONTACT,))
    if refused is not None:
        return refused
    if current_user.force_id is None:
        abort(403)
    return None


def _my_force() -> PoliceForce:
    force = queries.force(current_user.force_id)
    if force is None:
        abort(403)
    return force


@bp.get("/")
def index():
    """The force's referrals: status, days left and outcome."""
    force = _my_force()
    rows = force_access.referrals_for(force)
    today = reminders.today_in_uk(utcnow())
    return render_template(
        "force/index.html",
        force=force,
        referrals=rows,
        days_left={row.id: reminders.days_left(row, today=today) for row in rows},
        # One date format on the page, as in the API and the CSV: YYYY-MM-DD.
        outcome_dates={row.id: webhooks.outcome_date(row) for row in rows},
        report_form=ForceReportForm(formdata=None),
        labels=referral_admin.OUTCOME_LABELS,
    )


def _course_choices():
    return [(row.slug, row.name) for row in queries.active_course_types()]


@bp.route("/referrals/new", methods=["GET", "POST"])
def new_referral():
    form = ForceReferralForm()
    form.course_type.choices = _course_choices()
    refused = False
    if form.validate_on_submit():
        if referral_entry.create_from(form, _my_force(), by=current_user, now=utcnow()):
            flash("Referral sent.", "success")
            return redirect(url_for("force.index"), 303)
        refused = True
    return render_template("force/new.html", form=form), 400 if refused else 200


@bp.route("/referrals/upload", methods=["GET", "POST"])
def upload():
    """Refer several people from a CSV: all rows or none."""
    form = ForceUploadForm()
    errors: list = []
    if form.validate_on_submit():
        count, errors = referral_entry.import_upload(
            form, _my_force(), by=current_user, now=utcnow()
        )
        if count is not None:
            flash(f"Sent {count} referral(s).", "success")
            return redirect(url_for("force.index"), 303)
    status = 400 if errors else 200
    return render_template(
        "force/upload.html", form=form, errors=errors, columns=referral_admin.CSV_COLUMNS
    ), status


@bp.get("/report")
def report():
    """The force's outcome report as CSV (the download is audited)."""
    form = ForceReportForm(request.args)
    if not form.validate():
        flash("Enter both dates for the report.", "error")
        return redirect(url_for("force.index"))
    with unit_of_work():
        force = _my_force()
        slug = force.slug
        body = referral_admin.outcome_report_csv(
            force,
            form.start.data,
            form.end.data,
            by=current_user,
            now=utcnow(),
            for_the_force=True,
        )
    filename = f"outcomes-{slug}-{form.start.data}-{form.end.data}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
