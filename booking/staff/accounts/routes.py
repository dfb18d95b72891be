"""Staff accounts, for admins: who has which role, invite someone, deactivate an account."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import Role, utcnow
from booking.services.people import staff_accounts
from booking.services.referrals import queries as referral_queries
from booking.staff.accounts.forms import DeactivateForm, InviteForm
from booking.web.links import external_url

bp = Blueprint("accounts", __name__)


def invite_url(token: str) -> str:
    return external_url("auth.accept_invitation", token=token)


@bp.get("/")
def index():
    """Every staff and trainer account, with its role and whether it can sign in."""
    return render_template(
        "staff/accounts/index.html",
        accounts=staff_accounts.staff_and_trainers(),
        form=DeactivateForm(),
    )


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    """Open an account for someone and email them a single-use link to choose a password."""
    form = InviteForm()
    form.force_id.choices = [(0, "Not a police force contact")] + [
        (force.id, force.name) for force in referral_queries.partner_forces()
    ]
    if request.method == "GET" and request.args.get("role") in {r.value for r in Role}:
        form.role.data = request.args["role"]  # "invite the trainer" from the trainers' pages
    if form.validate_on_submit():
        with unit_of_work():
            staff_accounts.invite(
                email=form.email.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data or "",
                role=Role(form.role.data),
                by=current_user,
                now=utcnow(),
                secret_key=current_app.config["SECRET_KEY"],
                link_for=invite_url,
                force_id=form.force_id.data or None,
            )
        flash(f"Invitation sent to {form.email.data}. The link works once.", "success")
        return redirect(url_for("staff.accounts.index"), 303)
    return render_template("staff/accounts/invite.html", form=form), 400 if form.errors else 200


@bp.post("/<int:account_id>/deactivate")
def deactivate(account_id: int):
    """Stop an account signing in; it is signed out everywhere at once."""
    form = DeactivateForm()
    if not form.validate_on_submit():
        flash("Say briefly why, for the record.", "error")
        return redirect(url_for("staff.accounts.index"), 303)
    with unit_of_work():
        person = staff_accounts.deactivate(
            account_id, by=current_user, why=form.why.data, now=utcnow()
        )
        name = f"{person.first_name} {person.last_name}".strip()
    flash(f"{name} can no longer sign in.", "success")
    return redirect(url_for("staff.accounts.index"), 303)
