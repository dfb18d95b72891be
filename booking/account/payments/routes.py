"""Pay by card (Stripe Checkout), the page Stripe returns to, and asking for help with a fee."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from booking.account.ownership import own_booking_or_404
from booking.account.payments.forms import PayByCardForm, WaiverRequestForm
from booking.database import unit_of_work
from booking.integrations.stripe_gateway import gateway_from_config
from booking.models import Role, WaiverReason, utcnow
from booking.services.errors import PaymentError
from booking.services.money import help_requests as waivers
from booking.services.money import payments
from booking.services.notify import channels as contact
from booking.web import links
from booking.web.security import role_required

bp = Blueprint("payments", __name__)


@bp.post("/bookings/<reference>/pay")
@role_required(Role.ATTENDEE)
def pay(reference: str):
    """Open a Stripe Checkout Session for what is due and send the person to it."""
    booking = own_booking_or_404(reference)  # another person's booking: 404 before anything else
    form = PayByCardForm()
    if not form.validate_on_submit():
        abort(400)
    gateway = gateway_from_config(current_app.config)
    if gateway is None:
        raise PaymentError("card_payments_off")
    booking_id, person = booking.id, current_user
    with unit_of_work():
        payment, expires_at = payments.start_checkout(booking_id, person=person, now=utcnow())
        payment_id, amount = payment.id, payment.amount_pence
    # The call to Stripe happens outside the transaction: no lock is held while we wait.
    checkout = gateway.create_checkout_session(
        amount_pence=amount,
        description=f"Waypoint booking {reference}",
        metadata={"booking_id": str(booking_id), "payment_id": str(payment_id)},
        client_reference_id=reference,
        expires_at=expires_at,
        success_url=links.external_url("account.payments.payment_return", reference=reference),
        cancel_url=links.external_url("account.bookings.booking_detail", reference=reference),
        # Stripe may email a receipt: only pass the address on if email is safe.
        customer_email=(contact.email_address(person) or None)
        if contact.email_is_safe(person)
        else None,
        idempotency_key=f"waypoint-checkout-{payment_id}",
    )
    with unit_of_work():
        payments.attach_checkout_session(payment_id, checkout.id)
    return redirect(checkout.url, 303)


@bp.get("/bookings/<reference>/payment")
@role_required(Role.ATTENDEE)
def payment_return(reference: str):
    """Where Stripe sends the person back: shows the real state, never confirms anything."""
    booking = own_booking_or_404(reference)
    return render_template("account/payments/return.html", booking=booking)


@bp.route("/bookings/<reference>/help-with-fee", methods=["GET", "POST"])
@role_required(Role.ATTENDEE)
def ask_for_help(reference: str):
    """Ask the hardship fund to pay some or all of the fee; the place is kept meanwhile."""
    booking = own_booking_or_404(reference)
    form = WaiverRequestForm()
    due = payments.amount_due(booking)
    if form.validate_on_submit() and (asked := form.asked_pence(due)) != -1:
        booking_id = booking.id
        with unit_of_work():
            waivers.request_waiver(
                booking_id,
                person=current_user,
                reason=WaiverReason(form.reason.data),
                note=form.note.data or "",
                now=utcnow(),
                asked_pence=asked,
            )
        flash(
            "Thank you. We have kept your place while we decide. "
            + contact.how_we_will_tell(current_user),
            "success",
        )
        return redirect(url_for("account.bookings.booking_detail", reference=reference), 303)
    return render_template(
        "account/payments/help_with_fee.html",
        booking=booking,
        form=form,
        due=due,
        tell=contact.how_we_will_tell(current_user),
    )
