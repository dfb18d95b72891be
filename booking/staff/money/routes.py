"""Staff money pages (admins and finance): help requests, the fund, a booking's money, reports."""

import csv
import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from booking.database import unit_of_work
from booking.integrations.stripe_gateway import gateway_from_config
from booking.jobs import refunds as refund_jobs
from booking.models import (
    PaymentMethod,
    utcnow,
)
from booking.services import audit
from booking.services.bookings import queries as booking_queries
from booking.services.errors import PaymentError, WaiverError
from booking.services.money import fund, payments, refunds
from booking.services.money import help_requests as waivers
from booking.services.money import queries as money_queries
from booking.services.money import reports as money_reports
from booking.services.money.amounts import parse_pounds, pounds
from booking.services.schedule import queries as schedule_queries
from booking.staff.money.blueprint import bp
from booking.staff.money.forms import (
    FindBookingForm,
    FundForm,
    OfflinePaymentForm,
    RefundForm,
    TopUpForm,
    WaiverDecisionForm,
)
from booking.web import links
from booking.web.found import or_404

# --- waivers ----------------------------------------------------------------------------------


@bp.get("/waivers")
def waiver_queue():
    """Pending waiver requests, oldest first, with the fund's balance and earlier waivers."""
    queue = waivers.pending_queue()
    history = waivers.earlier_waivers(sorted({w.user_id for w in queue}))
    shown = ",".join(str(w.id) for w in queue)
    page = render_template(
        "staff/money/waivers.html",
        queue=queue,
        history=history,
        funds=money_reports.fund_overview(utcnow()),
        form=WaiverDecisionForm(),
    )
    # People's reasons and notes are sensitive: record who looked at them. A write needs its own
    # unit of work (SQLite's write lock first); done after rendering so nothing is reloaded.
    with unit_of_work():
        audit.record(
            "waiver.queue_viewed",
            "waiver_request",
            None,
            actor=current_user,
            now=utcnow(),
            shown=shown,
        )
    return page


@bp.post("/waivers/<int:waiver_id>")
def decide_waiver(waiver_id: int):
    """Approve (full or part) or decline one request."""
    form = WaiverDecisionForm()
    if not form.validate_on_submit():
        if not form.reason.errors:
            abort(400)
        flash(form.reason.errors[0], "error")
        return redirect(url_for("staff.money.waiver_queue", _anchor=f"waiver-{waiver_id}"), 303)
    approve = bool(form.approve.data)
    amount = None
    if approve and (form.amount.data or "").strip():
        amount = parse_pounds(form.amount.data)
        if amount is None:
            raise WaiverError("amount_invalid")
    with unit_of_work():
        waiver = waivers.decide_waiver(
            waiver_id,
            by=current_user,
            approve=approve,
            amount_pence=amount,
            reason=form.reason.data or "",
            override_reason=form.override_reason.data or "",
            now=utcnow(),
            days_to_pay=current_app.config["DAYS_TO_PAY_AFTER_DECISION"],
            base_url=links.base_url(),
        )
        outcome = waiver.status.value
    flash(f"Request {outcome}. The person has been told.", "success")
    return redirect(url_for("staff.money.waiver_queue"), 303)


# --- fund -------------------------------------------------------------------------------------


@bp.get("/fund")
def fund_page():
    """This year's funds: balance, ledger, a top-up form; and a form to open a new fund."""
    now = utcnow()
    overview = money_reports.fund_overview(now)
    ledgers = {f.id: fund.ledger(f.id) for f, _ in overview}
    summaries = {f.id: fund.summary(f.id) for f, _ in overview}
    form = FundForm(year_starting=fund.financial_year_of(now))
    form.force_id.choices = _force_choices()
    return render_template(
        "staff/money/fund.html",
        overview=overview,
        ledgers=ledgers,
        summaries=summaries,
        form=form,
        top_up_form=TopUpForm(),
        year_label=fund.year_label(fund.financial_year_of(now)),
    )


@bp.post("/fund")
def create_fund():
    """Open a fund for a financial year."""
    form = FundForm()
    form.force_id.choices = _force_choices()
    if not form.validate_on_submit():
        flash("Please check the fund's details.", "error")
        return redirect(url_for("staff.money.fund_page"), 303)
    budget = parse_pounds(form.budget.data)
    cap = parse_pounds(form.cap.data) if (form.cap.data or "").strip() else None
    if budget is None or ((form.cap.data or "").strip() and cap is None):
        raise WaiverError("amount_invalid")
    with unit_of_work():
        fund.create_fund(
            year_starting=form.year_starting.data,
            name=form.name.data,
            funder=form.funder.data or "",
            force_id=form.force_id.data or None,
            budget_pence=budget,
            per_person_cap_pence=cap,
            by=current_user,
            now=utcnow(),
        )
    flash("Fund created.", "success")
    return redirect(url_for("staff.money.fund_page"), 303)


@bp.post("/fund/<int:fund_id>/top-up")
def top_up(fund_id: int):
    """Add money to a fund."""
    form = TopUpForm()
    if not form.validate_on_submit():
        abort(400)
    amount = parse_pounds(form.amount.data)
    if amount is None or money_queries.fund(fund_id) is None:
        raise WaiverError("amount_invalid")
    with unit_of_work():
        fund.top_up(
            fund_id, amount_pence=amount, note=form.note.data or "", by=current_user, now=utcnow()
        )
    flash("Top-up added to the ledger.", "success")
    return redirect(url_for("staff.money.fund_page"), 303)


# --- a booking's money ------------------------------------------------------------------------


@bp.get("/bookings")
def find_booking():
    """Find a booking by reference."""
    form = FindBookingForm(request.args)
    if request.args and form.validate():
        reference = form.reference.data.strip().upper()
        if booking_queries.booking_id(reference):
            return redirect(url_for("staff.money.booking_money", reference=reference))
        flash("No booking has that reference.", "error")
    return render_template("staff/money/find_booking.html", form=form)


@bp.get("/bookings/<reference>")
def booking_money(reference: str):
    """A booking's fee, waiver, payments and refunds, with forms to record and refund."""
    booking = or_404(booking_queries.booking_for_staff(reference))
    booking_id = booking.id
    booking_payments = money_queries.payments_for(booking_id)
    waiver_rows = money_queries.waivers_for(booking_id)
    page = render_template(
        "staff/money/booking.html",
        booking=booking,
        payments=booking_payments,
        waivers=waiver_rows,
        due=payments.amount_due(booking),
        offline_form=OfflinePaymentForm(),
        refund_form=RefundForm(),
    )
    with unit_of_work():
        audit.record(
            "booking.money_viewed", "booking", booking_id, actor=current_user, now=utcnow()
        )
    return page


@bp.post("/bookings/<reference>/payments")
def record_payment(reference: str):
    """Record a fee paid by phone, bank transfer or cash; it confirms the booking."""
    booking_id = _booking_id(reference)
    form = OfflinePaymentForm()
    if not form.validate_on_submit():
        raise PaymentError("amount_invalid")
    amount = parse_pounds(form.amount.data)
    if amount is None:
        raise PaymentError("amount_invalid")
    with unit_of_work():
        payments.record_offline_payment(
            booking_id,
            method=PaymentMethod(form.method.data),
            amount_pence=amount,
            reference=form.reference.data or "",
            by=current_user,
            now=utcnow(),
        )
    flash("Payment recorded. The booking is confirmed.", "success")
    return redirect(url_for("staff.money.booking_money", reference=reference), 303)


@bp.post("/bookings/<reference>/payments/<int:payment_id>/refund")
def refund(reference: str, payment_id: int):
    """Refund a payment in full or in part (card payments through Stripe)."""
    booking_id = _booking_id(reference)
    form = RefundForm()
    if not form.validate_on_submit():
        raise PaymentError("amount_invalid")
    amount = None
    if (form.amount.data or "").strip():
        amount = parse_pounds(form.amount.data)
        if amount is None:
            raise PaymentError("amount_invalid")
    payment = money_queries.payment(payment_id)
    if payment is None or payment.booking_id != booking_id:
        abort(404)
    by_card, method = payment.method == PaymentMethod.CARD, payment.method.value
    with unit_of_work():
        refund = refunds.refund_payment(
            payment_id, amount_pence=amount, reason=form.reason.data, by=current_user, now=utcnow()
        )
        refund_id, given = refund.id, refund.amount_pence
    if not by_card:
        # Money paid another way never goes through Stripe: finance give it back the same way.
        flash(
            f"Recorded: {pounds(given)} paid by {method} is given back to the person. "
            f"Return it the way they paid ({method}); it does not go through Stripe.",
            "success",
        )
        return redirect(url_for("staff.money.booking_money", reference=reference), 303)
    # After the commit, never inside it: a card refund goes to Stripe now.
    result = refund_jobs.send_refunds(
        gateway_from_config(current_app.config), now=utcnow(), refund_ids=[refund_id]
    )
    if result.failed or result.waiting:
        flash("Refund recorded, but Stripe has not made it yet. See refunds to check.", "error")
    else:
        flash("Refund made.", "success")
    return redirect(url_for("staff.money.booking_money", reference=reference), 303)


# --- reports ----------------------------------------------------------------------------------


@bp.get("/reports")
def report():
    """Fund spending by month and by force, fees received and refunded, for a financial year."""
    year = _report_year()
    data = money_reports.money_report(year)
    months = [(row["month"].strftime("%b %Y"), row["fund_spent"]) for row in data["rows"]]
    forces = [(row["force"], row["fund_spent"]) for row in data["by_force"]]
    return render_template(
        "staff/money/report.html",
        data=data,
        year_label=fund.year_label(year),
        month_chart=money_reports.bar_chart(months),
        force_chart=money_reports.bar_chart(forces),
    )


@bp.get("/reports.csv")
def report_csv():
    """The same report as CSV."""
    year = _report_year()
    data = money_reports.money_report(year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["section", "period or force", "fund spent (£)", "fees received (£)", "fees refunded (£)"]
    )
    for row in data["rows"]:
        writer.writerow(
            [
                "month",
                row["month"].strftime("%Y-%m"),
                f"{row['fund_spent'] / 100:.2f}",
                f"{row['fees_received'] / 100:.2f}",
                f"{row['fees_refunded'] / 100:.2f}",
            ]
        )
    for row in data["by_force"]:
        writer.writerow(["force", row["force"], f"{row['fund_spent'] / 100:.2f}", "", ""])
    filename = f"waypoint-money-{year}-{str(year + 1)[-2:]}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _report_year() -> int:
    year = request.args.get("year", type=int)
    if year is None or not 2000 <= year <= 2100:
        year = fund.financial_year_of(utcnow())
    return year


def _booking_id(reference: str) -> int:
    return or_404(booking_queries.booking_id(reference))


def _force_choices() -> list[SelectChoice]:
    return [SelectChoice(0, "None (general fund)")] + [
        SelectChoice(force_id, name) for force_id, name in schedule_queries.force_names()
    ]
