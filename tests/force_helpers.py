"""Helpers for the police-force tests: a force with an API token, and calls with it."""

from datetime import timedelta

from booking.models import utcnow
from booking.services.referrals import tokens
from tests import factories


def force_with_token(slug: str | None = None):
    force = factories.force(slug)
    _, token = tokens.create_token(force, "Test system", by=None, now=utcnow())
    return force, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def referral_body(course_slug: str, reference: str = "AB/123/26", **fields) -> dict:
    today = utcnow().date()
    body = {
        "police_reference": reference,
        "first_name": "Sam",
        "last_name": "Taylor",
        "date_of_birth": "1990-04-01",
        "email": "sam@example.org",
        "phone": "07700 900123",
        "disposal_type": "community-resolution",
        "course_type": course_slug,
        "referral_date": (today - timedelta(days=1)).isoformat(),
    }
    body.update(fields)
    return body
