"""A force contact's pages: refer people (one at a time or a CSV), follow their referrals'
status and outcomes, download the outcome report. Everything is scoped to the contact's own
force; needs, disclosures, payments and help requests are never shown here."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.force.forms import (
    ForceReferralForm,
    ForceReportForm,
    ForceUploadForm,
    ForceWebhookForm,
    RevokeForm,
    TokenForm,
)
from booking.models import PoliceForce, Role, utcnow
from booking.services.referrals import admin as referral_admin
from booking.services.referrals import force_access, queries, reminders, tokens, webhooks
from booking.services.referrals.webhook_addresses import UnsafeAddress
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


# --- The force's own system: API tokens and the outcome webhook ------------------------------


def _system_page(*, token_form=None, webhook_form=None, new_token=None, new_secret=None):
    force = _my_force()
    return render_template(
        "force/system.html",
        force=force,
        tokens=tokens.tokens_for(force),
        deliveries=webhooks.recent_deliveries(force),
        token_form=token_form or TokenForm(formdata=None),
        webhook_form=webhook_form or ForceWebhookForm(formdata=None, url=force.webhook_url),
        plain_form=RevokeForm(formdata=None),
        new_token=new_token,
        new_secret=new_secret,
    )


@bp.get("/system")
def system():
    """My force's API tokens, outcome webhook and its delivery log."""
    return _system_page()


@bp.post("/tokens")
def create_token():
    """A token for my force's system, shown on this one answer and never again."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _system_page(token_form=form), 400
    with unit_of_work():
        _, token = tokens.create_token(_my_force(), form.name.data, by=current_user, now=utcnow())
    flash("Token made. Copy it now: it will not be shown again.", "success")
    return _system_page(new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        row = queries.api_token(token_id)
        if row is None or row.force_id != current_user.force_id:
            abort(404)  # another force's token is "not found", never "forbidden"
        tokens.revoke_token(row, by=current_user, now=utcnow())
    flash("Token revoked: it no longer works.", "success")
    return redirect(url_for("force.system"), 303)


@bp.post("/webhook")
def set_webhook():
    """Where my force's outcomes go: https to a public host only."""
    form = ForceWebhookForm()
    if not form.validate_on_submit():
        return _system_page(webhook_form=form), 400
    try:
        with unit_of_work():
            webhooks.set_endpoint(
                _my_force(), url=form.url.data or "", secret="", by=current_user, now=utcnow()
            )
    except UnsafeAddress as refusal:
        form.url.errors = [str(refusal)]
        return _system_page(webhook_form=form), 400
    flash("Webhook address saved.", "success")
    return redirect(url_for("force.system"), 303)


@bp.post("/webhook/secret")
def rotate_secret():
    """A new signing secret, shown once; deliveries are signed with it from now on."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        secret = webhooks.rotate_secret(_my_force(), by=current_user, now=utcnow())
    flash("New signing secret made. Copy it now: it will not be shown again.", "success")
    return _system_page(new_secret=secret)


@bp.post("/webhook/test")
def test_delivery():
    """Queue a signed test delivery; its result shows in the delivery log."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            webhooks.queue_test(_my_force(), by=current_user, now=utcnow())
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("force.system"), 303)
    flash("Test delivery queued: it is sent within a minute, and shows below.", "success")
    return redirect(url_for("force.system"), 303)
