"""Staff: list, create and import referrals; download a force's outcome report."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from booking.database import unit_of_work
from booking.jobs import enqueue
from booking.models import utcnow
from booking.services.referrals import admin as referral_admin
from booking.services.referrals import queries, reminders
from booking.staff.referrals.blueprint import bp
from booking.staff.referrals.forms import ReferralForm, ReportForm, UploadForm, WithdrawForm
from booking.web import referral_entry
from booking.web.found import or_404
from booking.web.policies import current_ending_policy

PAGE_SIZE = 50  # referrals on one page of the list


def _force_choices() -> list[tuple[int, str]]:
    return [(force.id, force.name) for force in queries.partner_forces()]


@bp.get("/")
def index():
    """Referrals, newest first, a page at a time; search by police reference, name or force."""
    text = (request.args.get("q") or "").strip()[:100]
    first = queries.search(text, limit=PAGE_SIZE, offset=0)
    pages = max((first[1] + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    rows, total = (
        first if page == 1 else queries.search(text, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    )
    today = reminders.today_in_uk(utcnow())
    return render_template(
        "staff/referrals/index.html",
        referrals=rows,
        total=total,
        page=page,
        pages=pages,
        q=text,
        days_left={row.id: reminders.days_left(row, today=today) for row in rows},
        report_form=_report_form(),
        withdraw_form=WithdrawForm(),
    )


def _report_form() -> ReportForm:
    form = ReportForm(request.args)
    form.force_id.choices = _force_choices()
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create one referral."""
    form = ReferralForm()
    form.force_id.choices = _force_choices()
    form.course_type.choices = [(row.slug, row.name) for row in queries.course_types()]
    refused = False
    if form.validate_on_submit():
        force = or_404(queries.force(form.force_id.data))
        if referral_entry.create_from(form, force, by=current_user, now=utcnow()):
            flash("Referral saved.", "success")
            return redirect(url_for("staff.referrals.index"), 303)
        refused = True
    return render_template("staff/referrals/new.html", form=form), 400 if refused else 200


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """Import referrals from a CSV: all rows or none."""
    form = UploadForm()
    form.force_id.choices = _force_choices()
    errors: list = []
    if form.validate_on_submit():
        force = or_404(queries.force(form.force_id.data))
        count, errors = referral_entry.import_upload(form, force, by=current_user, now=utcnow())
        if count is not None:
            flash(f"Imported {count} referral(s).", "success")
            return redirect(url_for("staff.referrals.index"), 303)
    status = 400 if errors else 200
    return render_template(
        "staff/referrals/upload.html", form=form, errors=errors, columns=referral_admin.CSV_COLUMNS
    ), status


@bp.post("/<int:referral_id>/withdraw")
def withdraw(referral_id: int):
    """Withdraw a referral (cancels its active booking)."""
    if not WithdrawForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        # Not locked here: the service locks in the one order (session first, then referral).
        referral = or_404(queries.referral(referral_id))
        referral_admin.withdraw(
            referral,
            by=current_user,
            now=utcnow(),
            reason="Withdrawn by staff",
            policy=current_ending_policy(),
        )
    enqueue.send_refunds_after_commit(None)
    flash("Referral withdrawn.", "success")
    return redirect(url_for("staff.referrals.index"), 303)


@bp.get("/report")
def report():
    """Download a force's outcome report as CSV."""
    form = _report_form()
    if not form.validate():
        flash("Choose a force and both dates for the report.", "error")
        return redirect(url_for("staff.referrals.index"))
    force = or_404(queries.force(form.force_id.data))
    with unit_of_work():  # the download itself is audited
        body = referral_admin.outcome_report_csv(
            force, form.start.data, form.end.data, by=current_user, now=utcnow()
        )
    filename = f"outcomes-{force.slug}-{form.start.data}-{form.end.data}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
