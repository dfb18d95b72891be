"""schemathesis with every check it has (as `st run --checks all`), in both generation modes
(valid and invalid requests), with a force token: the document says what the server enforces,
so valid requests are accepted, invalid ones refused, and every answer is as documented.
SCHEMATHESIS_EXAMPLES raises the number of examples per operation and mode for a longer run."""

import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from tests import factories
from tests.force_helpers import bearer, force_with_token
from tests.referral_factories import referral

pytestmark = pytest.mark.database

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))


def can_be_sent(case) -> bool:
    """Two kinds of generated case are left out, and nothing else:
    - a query parameter whose value is an empty list: no such parameter goes on the wire, so
      the "invalid" request the server receives is a valid one;
    - the one rule JSON Schema cannot state, because it compares two fields: a deadline on or
      after the referral date (the document says so in words; test_force_api_contract.py
      checks the refusal).
    Valid cases also get an Idempotency-Key of their own (below): a key used again with another
    body is refused by the API's rule (test_idempotent_creates.py), which no schema can state."""
    if any(value == [] for value in (case.query or {}).values()):
        return False
    body = case.body if isinstance(case.body, dict) else {}
    deadline, referred = body.get("deadline"), body.get("referral_date")
    if case.meta.generation.mode.value != "positive" or not (
        isinstance(deadline, str) and isinstance(referred, str)
    ):
        return True
    return deadline >= referred


def test_every_check_passes_for_valid_and_invalid_requests(app, db):
    load_all_checks()
    every_check = [CHECKS.get_one(name) for name in CHECKS.get_all_names()]
    assert len(every_check) >= 14
    force, token = force_with_token()
    course = factories.course_type(slug="drug-awareness")
    referral(force, course)
    factories.course_session(course_type_row=course, venue_row=factories.venue(force))
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: dict[tuple[str, str], str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode).filter(can_be_sent))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def answers_as_documented(case):
                label = (case.operation.label, case.meta.generation.mode.value)
                if label[1] == "positive" and "Idempotency-Key" in (case.headers or {}):
                    case.headers["Idempotency-Key"] = uuid.uuid4().hex
                response = case.call(headers=bearer(token))
                try:
                    case.validate_response(response, checks=every_check, headers=bearer(token))
                except BaseException as failure:  # schemathesis raises an exception group
                    failures.setdefault(label, f"query={case.query!r} " + str(failure)[:800])

            answers_as_documented()
    assert not failures, "\n\n".join(f"{key}: {text}" for key, text in failures.items())
