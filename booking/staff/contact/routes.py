"""Calls to make, messages withheld or failed (with resend), and the development outbox.

Behind the staff gate (registered through booking.staff). Every decision is one POST, one
service call in unit_of_work(), audited by the service, then a redirect.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import Channel, utcnow
from booking.services.errors import ContactError
from booking.services.notify import outbox, staff_lists
from booking.services.notify import queries as message_queries
from booking.services.notify.channels import CHANNEL_NAMES, how_we_reach
from booking.services.people import directory
from booking.staff.contact.forms import CallOutcomeForm, ResendForm
from booking.web.found import or_404

bp = Blueprint("contact", __name__)


@bp.get("/calls")
def calls():
    """The people to ring, soonest first, with their safe times and a neutral script."""
    return render_template(
        "staff/contact/calls.html",
        items=staff_lists.calls_to_make(),
        form=CallOutcomeForm(),
        now=utcnow(),
    )


@bp.post("/calls/<int:notification_id>")
def record_call(notification_id: int):
    form = CallOutcomeForm()
    if not form.validate_on_submit() or not form.outcome():
        flash("Choose what happened on the call.", "error")
        return redirect(url_for("staff.contact.calls"), 303)
    try:
        with unit_of_work():
            outbox.record_call(notification_id, form.outcome(), staff=current_user, now=utcnow())
    except ContactError as refusal:
        flash(refusal.staff_message, "error")
        return redirect(url_for("staff.contact.calls"), 303)
    flash("Saved. Thank you.", "success")
    return redirect(url_for("staff.contact.calls"), 303)


@bp.get("/messages")
def attention():
    """Messages withheld (no safe channel) or failed with nothing to take over, for everyone."""
    return render_template(
        "staff/contact/attention.html",
        items=staff_lists.needing_attention(),
        person=None,
        sent=[],
        reach=[],
        form=ResendForm(),
        channel_names=CHANNEL_NAMES,
    )


@bp.get("/people/<int:user_id>")
def person(user_id: int):
    """One person: how we reach them, everything sent to them, and what is waiting."""
    someone = or_404(directory.person(user_id))
    return render_template(
        "staff/contact/attention.html",
        items=staff_lists.needing_attention(user_id),
        person=someone,
        sent=message_queries.messages_for(someone),
        reach=how_we_reach(someone),
        form=ResendForm(),
        channel_names=CHANNEL_NAMES,
    )


@bp.post("/messages/<int:notification_id>/resend")
def resend(notification_id: int):
    form = ResendForm()
    back = url_for("staff.contact.attention")
    if request.form.get("person"):
        back = url_for("staff.contact.person", user_id=request.form.get("person", type=int) or 0)
    if not form.validate_on_submit():
        flash("Choose one of the ways listed.", "error")
        return redirect(back, 303)
    try:
        with unit_of_work():
            outbox.resend(
                notification_id, Channel(form.channel.data), staff=current_user, now=utcnow()
            )
    except ContactError as refusal:
        flash(refusal.staff_message, "error")
        return redirect(back, 303)
    flash(f"Queued by {CHANNEL_NAMES[Channel(form.channel.data)]}.", "success")
    return redirect(back, 303)


@bp.get("/development-outbox")
def development_outbox():
    """Texts and letters that went nowhere because no provider is set up (development, demo)."""
    return render_template(
        "staff/contact/development_outbox.html",
        rows=staff_lists.development_outbox(),
        provider_on=bool(current_app.config.get("NOTIFY_API_KEY")),
    )
