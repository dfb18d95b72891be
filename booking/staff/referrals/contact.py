"""Staff: the funnel (who is lost between referral and completion), its CSV, one referral's
contact timeline, and the gaps staff work: people not reached, not booked, or who missed their
first session, with one-click actions."""

from datetime import timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import User, utcnow
from booking.services.errors import ContactError
from booking.services.money.reports import bar_chart
from booking.services.outreach import funnel, gaps, queries
from booking.services.people import access_links
from booking.services.referrals import reminders
from booking.staff.referrals.blueprint import bp
from booking.staff.referrals.forms import FunnelForm, SendLinkForm
from booking.web import links
from booking.web.found import or_404

DEFAULT_DAYS = 90


def _period(form: FunnelForm):
    today = reminders.today_in_uk(utcnow())
    valid = form.validate()
    start = form.start.data if valid and form.start.data else today - timedelta(days=DEFAULT_DAYS)
    end = form.end.data if valid and form.end.data else today
    return (start, end) if start <= end else (end, start)


def funnel_chart(rows: list[funnel.FunnelRow]) -> dict:
    total = funnel.totals(rows)
    return bar_chart([(funnel.STAGE_WORDS[stage], total.counts[stage]) for stage in funnel.STAGES])


@bp.get("/funnel")
def funnel_page():
    """Referred, first contact made, booked, attended, completed: per force, scheme, month."""
    form = FunnelForm(request.args)
    start, end = _period(form)
    rows = funnel.funnel(start, end)
    return render_template(
        "staff/referrals/funnel.html",
        form=form,
        start=start,
        end=end,
        rows=rows,
        total=funnel.totals(rows),
        chart=funnel_chart(rows),
        stages=funnel.STAGES,
        stage_words=funnel.STAGE_WORDS,
    )


@bp.get("/funnel.csv")
def funnel_csv():
    """The funnel's table as CSV."""
    start, end = _period(FunnelForm(request.args))
    body = funnel.funnel_csv(funnel.funnel(start, end))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="funnel-{start}-{end}.csv"'},
    )


@bp.get("/<int:referral_id>/contact")
def contact_timeline(referral_id: int):
    """One referral's contact plan: what was sent or done, when, by which channel, outcome."""
    referral = or_404(queries.referral(referral_id))
    today = reminders.today_in_uk(utcnow())
    return render_template(
        "staff/referrals/contact.html",
        referral=referral,
        steps=queries.timeline(referral_id),
        days_left=reminders.days_left(referral, today=today),
    )


@bp.get("/gaps")
def gaps_page():
    """Referrals not reached, not booked after the plan, or with a missed first session,
    fewest days left first."""
    today = reminders.today_in_uk(utcnow())
    return render_template(
        "staff/referrals/gaps.html", gaps=gaps.gaps(today=today), link_form=SendLinkForm()
    )


def _referral_link(person: User) -> str:
    token = access_links.token_for(person, secret_key=current_app.config["SECRET_KEY"])
    return links.external_url("referral.magic_link", token=token)


@bp.post("/<int:referral_id>/send-link")
def send_link(referral_id: int):
    """Send the person a link to their referral now, on their first safe written channel."""
    if not SendLinkForm().validate_on_submit():
        flash("The form had expired. Please try again.", "error")
        return redirect(url_for("staff.referrals.gaps_page"), 303)
    referral = or_404(queries.referral(referral_id))
    try:
        with unit_of_work():
            gaps.send_link(referral, by=current_user, now=utcnow(), link_for=_referral_link)
    except ContactError as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("staff.referrals.gaps_page"), 303)
    flash("A link is on its way, inside their safe hours.", "success")
    return redirect(url_for("staff.referrals.gaps_page"), 303)
