"""A force contact manages their own force's system: API tokens (made, shown once, revoked),
the outcome webhook (https to a public host), a new signing secret shown once, a signed test
delivery and the delivery log; never another force's."""

import json
import re

import pytest
from sqlalchemy import select

from booking.integrations import webhook_sender
from booking.jobs import force_webhooks
from booking.models import ForceWebhookDelivery, Role, utcnow
from booking.services.referrals import tokens, webhook_addresses, webhooks
from tests import factories
from tests.force_helpers import bearer

pytestmark = pytest.mark.database


@pytest.fixture
def contact(db, monkeypatch):
    monkeypatch.setattr(
        webhook_addresses,
        "resolve",
        lambda host, port: {"hooks.force-example.org": ["81.2.69.160"]}[host],
    )
    force, other = factories.force(), factories.force()
    person = factories.user(Role.FORCE_CONTACT, force_id=force.id)
    db.session.commit()
    return force, other, person


def test_a_force_contact_makes_and_revokes_their_own_token(client, auth, db, contact):
    """Failed before: no such page; only staff could make tokens."""
    force, other, person = contact
    auth.login_as(user=person)
    made = client.post("/force/tokens", data={"name": "Niche RMS"})
    assert made.status_code == 200
    token = re.search(rb"<code>(wpt_[^<]+)</code>", made.data).group(1).decode()
    assert client.get("/api/v1/referrals", headers=bearer(token)).status_code == 200
    page = client.get("/force/system")
    assert token.encode() not in page.data and b"Niche RMS" in page.data
    row = tokens.authenticate(token)
    assert row.force_id == force.id
    _, theirs = tokens.create_token(other, "Other force", by=None, now=utcnow())
    db.session.commit()
    other_row = tokens.authenticate(theirs)
    assert client.post(f"/force/tokens/{other_row.id}/revoke").status_code == 404
    assert client.post(f"/force/tokens/{row.id}/revoke").status_code == 303
    assert client.get("/api/v1/referrals", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/referrals", headers=bearer(theirs)).status_code == 200


def test_a_force_contact_sets_the_webhook_rotates_the_secret_and_sends_a_test(
    client, auth, db, contact, monkeypatch
):
    force, other, person = contact
    auth.login_as(user=person)
    refused = client.post("/force/webhook", data={"url": "http://169.254.169.254/latest"})
    assert refused.status_code == 400
    assert client.post("/force/webhook/test").status_code == 303
    assert db.session.scalar(select(ForceWebhookDelivery)) is None  # nothing set yet

    url = "https://hooks.force-example.org/outcomes"
    assert client.post("/force/webhook", data={"url": url}).status_code == 303
    rotated = client.post("/force/webhook/secret")
    secret = re.search(rb"<code>(whsec_[^<]+)</code>", rotated.data).group(1).decode()
    db.session.refresh(force)
    assert (force.webhook_url, force.webhook_secret) == (url, secret)
    assert secret.encode() not in client.get("/force/system").data

    assert client.post("/force/webhook/test").status_code == 303
    sent = []

    def post(address, body, *, signature_header, signature):
        sent.append((address, body, signature))
        return 204

    monkeypatch.setattr(webhook_sender, "post", post)
    assert force_webhooks.send_due(utcnow()).delivered == 1
    [(address, body, signature)] = sent
    assert address == url and json.loads(body)["type"] == "test.ping"
    assert webhooks.verify(secret, signature, body, now=utcnow())
    log = client.get("/force/system").data
    assert b"test.ping" in log and b"delivered" in log
