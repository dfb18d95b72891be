"""An amount reads the same on a page and in a message: "£30" for whole pounds, "£30.50"
otherwise (one formatter, services/money/amounts.py, behind both)."""

from types import SimpleNamespace

from booking.services.notify import messages, wording


def test_a_page_and_a_message_write_the_same_amount_the_same_way(app):
    note = messages.money_note("refunded", refunded_pence=3000, returned_to_fund=False)
    assert "We are refunding the £30 you paid" in note
    on_a_page = app.jinja_env.from_string(
        "{{ 3000 | pounds }} {{ 3050 | pounds }} {{ 3000 | money }} {{ 0 | pounds }}"
    ).render()
    assert on_a_page == "£30 £30.50 £30 £0"


def test_a_message_writes_pence_only_when_there_are_some():
    booking = SimpleNamespace(reference="WP-TEST")
    whole = wording.render_text("pay_link", name="Sam", booking=booking, due_pence=2500, link="L")
    part = wording.render_text("pay_link", name="Sam", booking=booking, due_pence=123456, link="L")
    assert "is £25. " in whole
    assert "is £1,234.56. " in part
