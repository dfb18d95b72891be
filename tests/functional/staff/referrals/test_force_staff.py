"""Staff: API tokens (shown once, revocable), a force's webhook and its deliveries, the list
"near deadline, not booked", and extensions recorded with who agreed and when."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from booking.models import (
    ApiToken,
    DeliveryStatus,
    ForceWebhookDelivery,
    Referral,
    ReferralStatus,
    Role,
    utcnow,
)
from booking.services.referrals import admin, reminders, webhook_addresses
from tests import factories
from tests.force_helpers import bearer
from tests.referral_factories import referral

pytestmark = pytest.mark.database


def test_staff_make_a_token_shown_once_that_works_until_revoked(client, auth, db):
    force = factories.force()
    db.session.commit()
    auth.login_as(Role.ADMIN)
    made = client.post(f"/admin/referrals/forces/{force.slug}/tokens", data={"name": "Niche"})
    assert made.status_code == 200
    token = re.search(rb"<code>(wpt_[^<]+)</code>", made.data).group(1).decode()
    page = client.get(f"/admin/referrals/forces/{force.slug}")
    assert token.encode() not in page.data and b"Niche" in page.data
    assert client.get("/api/v1/referrals", headers=bearer(token)).status_code == 200

    token_id = re.search(rb"/tokens/(\d+)/revoke", page.data).group(1).decode()
    revoked = client.post(f"/admin/referrals/forces/{force.slug}/tokens/{token_id}/revoke")
    assert revoked.status_code == 303
    assert client.get("/api/v1/referrals", headers=bearer(token)).status_code == 401


def test_a_token_needs_a_name(client, auth, db):
    force = factories.force()
    db.session.commit()
    auth.login_as(Role.ADMIN)
    response = client.post(f"/admin/referrals/forces/{force.slug}/tokens", data={"name": ""})
    assert response.status_code == 400
    assert b"Give the token a name." in response.data


@pytest.fixture
def public_names(monkeypatch):
    """Force hosts resolve (in the test) to public addresses; anything else is not found."""
    table = {"force.example": ["81.2.69.160"], "inward.force-example.org": ["10.0.0.5"]}

    def resolve(host, port):
        if host not in table:
            raise OSError("not found")
        return table[host]

    monkeypatch.setattr(webhook_addresses, "resolve", resolve)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/admin/referrals/forces/{slug}/tokens"),
        ("POST", "/admin/referrals/forces/{slug}/webhook"),
    ],
)
def test_a_scheduler_cannot_make_tokens_or_point_the_webhook(client, auth, db, method, path):
    """Least privilege: API tokens and where police data goes are for admins (and the force's
    own contacts, on their pages), not for everyone who runs the schedule. Failed before: 200."""
    force = factories.force()
    db.session.commit()
    auth.login_as(Role.SCHEDULER)
    data = {"name": "Niche", "url": "https://force.example/hooks", "secret": "s" * 20}
    response = client.open(path.format(slug=force.slug), method=method, data=data)
    assert response.status_code == 403
    db.session.refresh(force)
    assert force.webhook_url == ""
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:5432/",
        "https://127.0.0.1:5432/",
        "https://10.1.2.3/hooks",
        "https://[::1]/hooks",
        "https://inward.force-example.org/hooks",
        "http://force.example/hooks",
    ],
)
def test_an_inward_or_plain_http_webhook_is_refused_and_nothing_changes(
    client, auth, db, public_names, url
):
    """Failed before: each was saved (303), so police references could go unencrypted or inward."""
    force = factories.force()
    force.webhook_url = "https://force.example/hooks"
    db.session.commit()
    auth.login_as(Role.ADMIN)
    response = client.post(
        f"/admin/referrals/forces/{force.slug}/webhook", data={"url": url, "secret": ""}
    )
    assert response.status_code == 400
    assert b"https://" in response.data or b"public host" in response.data
    db.session.refresh(force)
    assert force.webhook_url == "https://force.example/hooks"


def test_staff_set_a_webhook_and_see_its_deliveries(client, auth, db, public_names):
    force = factories.force()
    db.session.commit()
    auth.login_as(Role.ADMIN)
    url = f"/admin/referrals/forces/{force.slug}/webhook"
    bad = client.post(url, data={"url": "not a web address", "secret": "short"})
    assert bad.status_code == 400
    assert b"Enter a web address." in bad.data and b"Use 16 to 100 characters." in bad.data
    db.session.refresh(force)
    assert force.webhook_url == ""

    good = client.post(
        url, data={"url": "https://force.example/hooks", "secret": "s3cret-s3cret-s3cret"}
    )
    assert good.status_code == 303
    db.session.refresh(force)
    assert force.webhook_url == "https://force.example/hooks"

    row = referral(force, factories.course_type())
    admin.withdraw(row, by=None, now=utcnow(), reason="Asked", policy=factories.ENDING_POLICY)
    delivery = db.session.scalar(select(ForceWebhookDelivery))
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = "The force's server answered 500."
    db.session.commit()
    page = client.get(f"/admin/referrals/forces/{force.slug}")
    assert b"referral.withdrawn" in page.data and b"answered 500" in page.data
    assert client.post(f"/admin/referrals/webhooks/{delivery.id}/retry").status_code == 303
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0


def test_the_near_deadline_list_shows_open_unbooked_referrals_soonest_first(
    client, auth, db, count_queries
):
    force, course = factories.force(), factories.course_type()
    today = utcnow().date()
    referral(force, course, police_reference="SOON/5", deadline=today + timedelta(days=5))
    referral(force, course, police_reference="SOON/2", deadline=today + timedelta(days=2))
    referral(force, course, police_reference="FAR/40", deadline=today + timedelta(days=40))
    referral(
        force,
        course,
        police_reference="BOOKED/3",
        deadline=today + timedelta(days=3),
        status=ReferralStatus.BOOKED,
    )
    db.session.commit()
    auth.login_as(Role.ADMIN)
    with count_queries() as few:
        page = client.get("/admin/referrals/near-deadline")
    text = page.data.decode()
    assert "FAR/40" not in text and "BOOKED/3" not in text
    assert text.index("SOON/2") < text.index("SOON/5")
    for number in range(4):
        referral(force, course, deadline=today + timedelta(days=number + 1))
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/referrals/near-deadline")
    assert many.count == few.count


def test_staff_see_days_left_on_the_referrals_list(client, auth, db):
    force, course = factories.force(), factories.course_type()
    referral(force, course, deadline=reminders.today_in_uk(utcnow()) + timedelta(days=9))
    db.session.commit()
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/referrals/")
    assert b"Days left" in page.data and b"<td>9</td>" in page.data


def test_an_extension_records_who_agreed_and_when_and_is_reported(client, auth, db):
    force, course = factories.force(), factories.course_type()
    today = utcnow().date()
    first = today + timedelta(days=4)
    row = referral(force, course, deadline=first, police_reference="EXT/1")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    url = f"/admin/referrals/{row.id}/extend"
    earlier = client.post(
        url,
        data={
            "new_deadline": (first - timedelta(days=1)).isoformat(),
            "agreed_by": "PS Rivers",
            "agreed_on": today.isoformat(),
        },
    )
    assert earlier.status_code == 400
    assert b"The new deadline must be later than the current one." in earlier.data

    later = first + timedelta(days=30)
    response = client.post(
        url,
        data={
            "new_deadline": later.isoformat(),
            "agreed_by": "PS Rivers",
            "agreed_on": today.isoformat(),
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.get(Referral, row.id)
    assert (row.deadline, row.original_deadline) == (later, first)
    assert (row.extension_agreed_by, row.extension_agreed_on) == ("PS Rivers", today)

    start, end = (today - timedelta(days=30)).isoformat(), today.isoformat()
    report = client.get(f"/admin/referrals/report?force_id={force.id}&start={start}&end={end}")
    line = next(line for line in report.data.decode().splitlines() if "EXT/1" in line)
    assert line.endswith(f"{first.isoformat()},PS Rivers,{today.isoformat()}")
