"""Staff money pages for refunds: ones Stripe has not made (retry), and money to decide about."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.integrations.stripe_gateway import gateway_from_config
from booking.jobs import refunds as refund_jobs
from booking.models import utcnow
from booking.services.money import refunds
from booking.staff.money.blueprint import bp
from booking.staff.money.forms import RetryRefundForm


@bp.get("/refunds")
def refunds_page():
    """Refunds that failed or wait to be sent, and ended bookings whose money staff decide on."""
    return render_template(
        "staff/money/refunds.html",
        troubled=refunds.refunds_in_trouble(),
        to_decide=refunds.payments_to_decide(),
        retry_form=RetryRefundForm(),
        card_refunds_on=gateway_from_config(current_app.config) is not None,
    )


@bp.post("/refunds/<int:refund_id>/retry")
def retry_refund(refund_id: int):
    """Send a failed refund again (the same idempotency key: Stripe makes it at most once)."""
    if not RetryRefundForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        refunds.retry(refund_id, by=current_user, now=utcnow())
    result = refund_jobs.send_refunds(
        gateway_from_config(current_app.config), now=utcnow(), refund_ids=[refund_id]
    )
    if result.sent:
        flash("Refund made.", "success")
    else:
        flash("Stripe has still not made this refund. Try again later.", "error")
    return redirect(url_for("staff.money.refunds_page"), 303)
