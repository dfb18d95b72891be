"""Staff: the funnel (who is lost between referral and completion), its CSV, and one
referral's contact timeline."""

from datetime import timedelta

from flask import Response, render_template, request

from booking.models import utcnow
from booking.services.money.reports import bar_chart
from booking.services.outreach import funnel, queries
from booking.services.referrals import reminders
from booking.staff.referrals.blueprint import bp
from booking.staff.referrals.forms import FunnelForm
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
