"""A form refused because the session was lost keeps what was typed and says so in plain
words; every page gives the one office number from configuration."""

import re
from pathlib import Path

import pytest

from booking import create_app
from booking.extensions import db as _db
from booking.models import User
from booking.services.notify.channels import CONTACT_PHONE
from config import TestConfig
from tests import factories
from tests.conftest import IsolatedClient

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


@pytest.fixture
def csrf_client(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient  # each request its own app context, as in production
    with app.app_context():
        yield app, app.test_client()
        _db.session.remove()
        _db.engine.dispose()


def test_a_form_sent_after_the_session_was_lost_keeps_what_was_typed(csrf_client):
    app, client = csrf_client
    session_id = factories.course_session().id
    _db.session.commit()
    page = client.get(f"/sessions/{session_id}/your-details").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.delete_cookie("session")  # the browser forgot this site's cookie
    typed = {
        "csrf_token": token,
        "first_name": "Rowan",
        "email": "rowan.lost@example.org",
        "email_is_safe": "y",
        "other_needs": "A quiet seat near the door",
    }
    answer = client.post(f"/sessions/{session_id}/your-details", data=typed)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "CSRF" not in text
    assert "Nothing has been saved. Check your answers below and press the button again." in text
    assert 'value="Rowan"' in text and 'value="rowan.lost@example.org"' in text
    assert "A quiet seat near the door" in text
    assert _db.session.query(User).filter_by(email="rowan.lost@example.org").count() == 0
    # The page carries a fresh token: pressing the button again books the place.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    again = client.post(f"/sessions/{session_id}/your-details", data={**typed, "csrf_token": token})
    assert again.status_code == 303


def test_a_form_from_another_site_is_still_refused(csrf_client):
    app, client = csrf_client
    session_id = factories.course_session().id
    _db.session.commit()
    answer = client.post(
        f"/sessions/{session_id}/your-details",
        data={"first_name": "Rowan", "email": "x@example.org"},
        headers={"Origin": "https://elsewhere.example"},
    )
    assert answer.status_code == 400
    assert 'value="Rowan"' not in answer.get_data(as_text=True)


def test_no_template_has_an_office_number_of_its_own():
    # Free office numbers (0800, 0808); other organisations' numbers (the ICO's) may be given.
    numbers = re.compile(r"\b080[0-9] ?[0-9]{3} ?[0-9]{4}\b|tel:\+44")
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in numbers.finditer(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize("url", ["/", "/accessibility", "/privacy", "/leaving-quickly"])
def test_pages_give_the_configured_office_number(client, db, url):
    text = client.get(url).get_data(as_text=True)
    assert CONTACT_PHONE in text
    digits = re.sub(r"[^0-9]", "", CONTACT_PHONE)[1:]
    assert f'href="tel:+44{digits}"' in text
