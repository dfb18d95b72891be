"""Staff: each partner force's API tokens and outcome webhook (address, secret, deliveries)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import PoliceForce, utcnow
from booking.services.referrals import queries, sharing, tokens, webhooks
from booking.services.referrals.webhook_addresses import UnsafeAddress
from booking.staff.referrals.blueprint import bp
from booking.staff.referrals.forms import (
    AgreementForm,
    RetryForm,
    RevokeForm,
    TokenForm,
    WebhookForm,
)
from booking.web.found import or_404


def _force(slug: str) -> PoliceForce:
    return or_404(queries.force_by_slug(slug))


@bp.get("/forces")
def forces():
    """Partner forces, each with its API tokens and webhook."""
    return render_template("staff/referrals/forces.html", forces=queries.partner_forces())


def _force_page(force: PoliceForce, *, token_form=None, webhook_form=None, new_token=None):
    return render_template(
        "staff/referrals/force.html",
        force=force,
        tokens=tokens.tokens_for(force),
        deliveries=webhooks.recent_deliveries(force),
        token_form=token_form or TokenForm(formdata=None),
        webhook_form=webhook_form or WebhookForm(formdata=None, url=force.webhook_url),
        revoke_form=RevokeForm(formdata=None),
        retry_form=RetryForm(formdata=None),
        new_token=new_token,
    )


@bp.get("/forces/<slug>")
def force_page(slug: str):
    return _force_page(_force(slug))


@bp.post("/forces/<slug>/tokens")
def create_token(slug: str):
    """Make a token; it is shown on this one answer and never again."""
    force = _force(slug)
    form = TokenForm()
    if not form.validate_on_submit():
        return _force_page(force, token_form=form), 400
    with unit_of_work():
        row, token = tokens.create_token(force, form.name.data, by=current_user, now=utcnow())
        name = row.name
    flash(f"Token “{name}” made. Copy it now: it will not be shown again.", "success")
    return _force_page(_force(slug), new_token=token)


@bp.post("/forces/<slug>/tokens/<int:token_id>/revoke")
def revoke_token(slug: str, token_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        force = _force(slug)
        row = queries.api_token(token_id)
        if row is None or row.force_id != force.id:
            abort(404)
        tokens.revoke_token(row, by=current_user, now=utcnow())
    flash("Token revoked: it no longer works.", "success")
    return redirect(url_for("staff.referrals.force_page", slug=slug), 303)


@bp.post("/forces/<slug>/webhook")
def set_webhook(slug: str):
    force = _force(slug)
    form = WebhookForm()
    if not form.validate_on_submit():
        return _force_page(force, webhook_form=form), 400
    try:
        with unit_of_work():
            webhooks.set_endpoint(
                _force(slug),
                url=form.url.data or "",
                secret=form.secret.data or "",
                by=current_user,
                now=utcnow(),
            )
    except UnsafeAddress as refusal:
        form.url.errors = [str(refusal)]
        return _force_page(_force(slug), webhook_form=form), 400
    flash("Webhook saved.", "success")
    return redirect(url_for("staff.referrals.force_page", slug=slug), 303)


@bp.post("/webhooks/<int:delivery_id>/retry")
def retry_delivery(delivery_id: int):
    if not RetryForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        delivery = or_404(queries.delivery_locked(delivery_id))
        webhooks.retry(delivery, by=current_user, now=utcnow())
        slug = delivery.force.slug
    flash("It will be sent again shortly.", "success")
    return redirect(url_for("staff.referrals.force_page", slug=slug), 303)


def _agreement_page(force: PoliceForce, form: AgreementForm):
    form.fields.choices = [
        (name, words) for name, words in sharing.FIELDS.items() if name not in sharing.MINIMAL
    ]
    agreement = sharing.current(force.id)
    return render_template(
        "staff/referrals/agreement.html",
        force=force,
        form=form,
        agreement=agreement,
        plain_words=sharing.plain_words(agreement),
        minimal=[sharing.FIELDS[name] for name in sharing.MINIMAL],
    )


@bp.get("/forces/<slug>/agreement")
def agreement(slug: str):
    """The force's data-sharing agreement in force, and a form for its next version."""
    force = _force(slug)
    current = sharing.current(force.id)
    form = AgreementForm(formdata=None, obj=current)
    if current is not None:
        form.fields.data = current.fields.split()
    return _agreement_page(force, form)


@bp.post("/forces/<slug>/agreement")
def save_agreement(slug: str):
    """Record a new version (admins only); what the force receives changes from now on."""
    force = _force(slug)
    form = AgreementForm()
    form.fields.choices = [(name, name) for name in sharing.FIELDS]
    if not form.validate_on_submit():
        return _agreement_page(force, form), 400
    terms = sharing.Terms(
        fields=list(form.fields.data or []),
        lawful_basis=form.lawful_basis.data or "",
        retention=form.retention.data or "",
        governance_contact=form.governance_contact.data or "",
        codes={
            prefix: (
                getattr(form, f"{prefix}_code").data or "",
                getattr(form, f"{prefix}_wording").data or "",
            )
            for prefix in sharing.OUTCOME_PREFIX.values()
        },
    )
    try:
        with unit_of_work():
            row = sharing.record_agreement(_force(slug), terms, by=current_user, now=utcnow())
            version = row.version
    except ValueError as error:
        form.lawful_basis.errors = [str(error)]
        return _agreement_page(force, form), 400
    flash(f"Agreement version {version} saved: it applies from now on.", "success")
    return redirect(url_for("staff.referrals.agreement", slug=slug), 303)
