"""flask create-api-token prints the token alone on its last line, and it works at once."""

import pytest

from booking.services.referrals import tokens
from tests import factories

pytestmark = pytest.mark.database


def test_create_api_token_prints_a_working_token_on_its_last_line(app, db):
    force = factories.force("testshire")
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["create-api-token", "--force", "testshire", "--name", "Case system"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("wpt_") and " " not in token
    row = tokens.authenticate(token)
    assert row.force_id == force.id and row.name == "Case system"


def test_create_api_token_refuses_an_unknown_force(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-api-token", "--force", "nowhere", "--name", "X"]
    )
    assert result.exit_code != 0
    assert "No force with the slug 'nowhere'" in result.output


def test_send_force_webhooks_says_what_it_did(app, db):
    result = app.test_cli_runner().invoke(args=["send-force-webhooks"])
    assert result.exit_code == 0
    assert "Webhooks delivered: 0" in result.output
