"""The page an invited member of staff or trainer opens to choose their password.

Open to anyone holding the link (the signed, single-use token is the check), so it is its own
blueprint, outside the staff gate.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from booking.database import unit_of_work
from booking.models import utcnow
from booking.services.people import staff_accounts
from booking.staff.accounts.forms import ChoosePasswordForm

bp = Blueprint("invitations", __name__)


@bp.route("/<token>", methods=["GET", "POST"])
def accept(token: str):
    """Choose a password from an invitation; then sign in as usual."""
    secret_key = current_app.config["SECRET_KEY"]
    person = staff_accounts.person_for_invite(token, secret_key=secret_key)
    if person is None:
        return render_template("staff/accounts/accept.html", form=None), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            accepted = staff_accounts.accept(
                token, form.password.data, secret_key=secret_key, now=utcnow()
            )
        if accepted is None:
            return render_template("staff/accounts/accept.html", form=None), 404
        flash("Your password is set. Please sign in.", "success")
        return redirect(url_for("auth.login"), 303)
    return (
        render_template("staff/accounts/accept.html", form=form, name=person.first_name),
        400 if form.errors else 200,
    )
