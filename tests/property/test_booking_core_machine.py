"""The booking core under random sequences of actions, with the rules checked after every step.

See tests/property/machine.py for the rules and tests/property/invariants.py for what is
checked (and the known defects still tolerated there).
"""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.databases import postgres_url
from tests.property import machine
from tests.property.machine import BookingCoreMachine, Databases

pytestmark = pytest.mark.database

# Under a minute on SQLite on a shared two-core machine; every example is a fresh database.
# No example database on disk: a failure prints its steps and a blob to replay it with
# @reproduce_failure.
RANDOM_RUN = settings(
    max_examples=20,
    stateful_step_count=40,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# The coverage run: the same every time, so "every action succeeded" cannot flicker.
SEEDED_RUN = settings(RANDOM_RUN, max_examples=50, derandomize=True)


def run_machine(harness: Databases, run_settings) -> None:
    class Machine(BookingCoreMachine):
        pass

    Machine.harness = harness
    run_state_machine_as_test(Machine, settings=run_settings)


def test_booking_core_keeps_its_rules_under_random_actions(harness):
    run_machine(harness, RANDOM_RUN)


@pytest.mark.skipif(
    postgres_url() is not None,
    reason="how far the machine reaches does not depend on the database (checked on SQLite); "
    "the random run covers PostgreSQL",
)
def test_every_action_succeeds_at_least_once_in_a_seeded_run(harness):
    machine.SUCCEEDED.clear()
    run_machine(harness, SEEDED_RUN)
    never = [name for name in ACTIONS if machine.SUCCEEDED[name] == 0]
    assert not never, f"never succeeded: {never} (counts: {dict(machine.SUCCEEDED)})"


ACTIONS = [
    "book_from_catalogue",
    "book_by_staff",
    "book_by_referral",
    "join_waiting_list",
    "claim_offer",
    "reschedule",
    "cancel_by_attendee",
    "cancel_by_staff",
    "withdraw_referral",
    "force_withdraws_referral",
    "cancel_session",
    "expire_holds",
    "expire_offers",
    "close_overdue_referrals",
    "start_card_payment",
    "pay_by_webhook",
    "checkout_expired_by_webhook",
    "record_offline_payment",
    "refund",
    "ask_for_help",
    "decide_help",
    "record_attendance",
    "close_session",
]
