"""Template filters, globals and context processors only format: pages never query the database.

A page's data comes from its route, where it is loaded once and can be counted; a helper that
queried from inside a template would hide a query per use.
"""

import pytest
from flask import render_template
from sqlalchemy import event

from booking.models import Role, utcnow
from booking.services.bookings import seats as bookings
from tests import factories


@pytest.fixture
def no_queries(db):
    """Fail on any SQL statement run inside the block."""

    def refuse(conn, cursor, statement, *args):
        raise AssertionError(f"a template queried the database: {statement}")

    def start():
        event.listen(db.engine, "before_cursor_execute", refuse)

    yield start
    if event.contains(db.engine, "before_cursor_execute", refuse):
        event.remove(db.engine, "before_cursor_execute", refuse)


def test_every_helper_a_template_can_call_is_a_formatter(app):
    helpers = {**app.jinja_env.globals, **app.jinja_env.filters}
    ours = {
        name: helper.__module__
        for name, helper in helpers.items()
        if getattr(helper, "__module__", "").startswith("booking")
    }
    # Formatting only: UK time (services/clock, messages use it too), amounts of money
    # (services/money/amounts, as messages write them) and absolute links;
    # and may_open (web/security), which hides links by the signed-in role without a query.
    assert set(ours.values()) <= {
        "booking.web.filters",
        "booking.services.clock",
        "booking.services.money.amounts",
        "booking.web.links",
        "booking.web.security",
    }, ours


def test_context_processors_run_no_query(app, no_queries):
    with app.test_request_context("/"):
        no_queries()
        for processors in app.template_context_processors.values():
            for processor in processors:
                processor()


def test_the_staff_dashboards_fund_panel_shows_what_the_route_passed(app, db, no_queries):
    with app.test_request_context("/admin/"):
        no_queries()
        html = render_template("staff/money/_dashboard_fund.html", funds=[])
    assert "No hardship fund for this financial year yet." in html


def test_the_booking_pages_fee_panel_shows_what_the_route_passed(app, db, no_queries):
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=3000)
    )
    booking = bookings.book_session(course_session.id, factories.user(Role.ATTENDEE), now=utcnow())
    db.session.flush()
    money = {"due": 3000, "waiver": None, "card_enabled": False, "pay_form": None}
    with app.test_request_context("/my/bookings"):
        no_queries()
        html = render_template("account/payments/_booking_money.html", booking=booking, money=money)
    assert "There is £30 to pay." in html
    assert "Paying the fee would be hard for me" in html
