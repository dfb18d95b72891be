"""Staff: referrals near their deadline and not booked, and recording an extension."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import utcnow
from booking.services.errors import ReferralError
from booking.services.referrals import queries, reminders
from booking.staff.referrals.blueprint import bp
from booking.staff.referrals.forms import ExtensionForm
from booking.web.found import or_404


@bp.get("/near-deadline")
def near_deadline():
    """Open referrals within 14 days of their deadline and not booked, soonest first."""
    now = utcnow()
    today = reminders.today_in_uk(now)
    rows = reminders.near_deadline_unbooked(now=now)
    return render_template(
        "staff/referrals/near_deadline.html",
        referrals=rows,
        days_left={row.id: reminders.days_left(row, today=today) for row in rows},
        within=reminders.NEAR_DEADLINE_DAYS,
    )


@bp.route("/<int:referral_id>/extend", methods=["GET", "POST"])
def extend(referral_id: int):
    """Record the force's decision to give more time."""
    referral = or_404(queries.referral(referral_id))
    form = ExtensionForm()
    refused = False
    if form.validate_on_submit():
        try:
            with unit_of_work():
                reminders.extend_deadline(
                    or_404(queries.referral(referral_id)),
                    new_deadline=form.new_deadline.data,
                    agreed_by=form.agreed_by.data,
                    agreed_on=form.agreed_on.data,
                    by=current_user,
                    now=utcnow(),
                )
        except ReferralError as error:
            target = form.agreed_by if error.code == "extension_agreed_by" else form.new_deadline
            target.errors = [*target.errors, error.staff_message]
            refused = True
        else:
            flash("Extension recorded.", "success")
            return redirect(url_for("staff.referrals.index"), 303)
        referral = or_404(queries.referral(referral_id))
    page = render_template("staff/referrals/extend.html", form=form, referral=referral)
    return page, 400 if refused else 200
