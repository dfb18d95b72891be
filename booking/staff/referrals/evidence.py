"""Staff: evidence for commissioners, per force (or every force) and period, as a page with a
chart and a table, and as CSV."""

import csv
import io
from datetime import date, timedelta

from flask import Response, render_template, request

from booking.models import utcnow
from booking.services.referrals import evidence, queries, reminders
from booking.staff.referrals.blueprint import bp


def _period() -> tuple[int | None, date, date, str | None]:
    """The force and period asked for; the last 365 days by default. A wrong date is said."""
    today = reminders.today_in_uk(utcnow())
    problem = None
    try:
        start = date.fromisoformat(request.args.get("start") or "")
        end = date.fromisoformat(request.args.get("end") or "")
    except ValueError:
        start, end = today - timedelta(days=364), today
        if request.args.get("start") or request.args.get("end"):
            problem = "Enter dates like 2026-04-01; showing the last year instead."
    if end < start:
        start, end, problem = end, start, "The dates were the wrong way round: swapped."
    force_id = request.args.get("force_id", type=int) or None
    return force_id, start, end, problem


@bp.get("/evidence")
def evidence_page():
    """The commissioner's evidence: stages, completion, women-only demand, age bands."""
    force_id, start, end, problem = _period()
    figures = evidence.report(force_id, start, end)
    return render_template(
        "staff/referrals/evidence.html",
        figures=figures,
        rows=evidence.as_csv_rows(figures),
        forces=queries.partner_forces(),
        force_id=force_id,
        problem=problem,
    )


@bp.get("/evidence.csv")
def evidence_csv():
    force_id, start, end, _ = _period()
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["figure", "value"])
    writer.writerows(evidence.as_csv_rows(evidence.report(force_id, start, end)))
    return Response(
        output.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="evidence-{start}-{end}.csv"'},
    )
