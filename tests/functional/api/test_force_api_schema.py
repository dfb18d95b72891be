"""schemathesis over the API's own OpenAPI document, in-process against the WSGI app with a
force token: every operation, no server error, every answer matching its documented schema,
status code and content type. Kept small (a few examples per operation) to run in seconds."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.force_helpers import bearer, force_with_token
from tests.referral_factories import referral

pytestmark = pytest.mark.database

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 25


def test_every_operation_answers_as_documented(app, db):
    force, token = force_with_token()
    course = factories.course_type(slug="drug-awareness")
    referral(force, course)
    factories.course_session(course_type_row=course, venue_row=factories.venue(force))
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case):
            response = case.call(headers=bearer(token))
            case.validate_response(response, checks=CHECKS)

        answers_as_documented()
