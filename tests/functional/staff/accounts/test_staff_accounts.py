"""Admins invite staff and trainers by a single-use link, and deactivate accounts."""

import re

from sqlalchemy import select

from booking.models import AuditEvent, Notification, Role, User
from tests import factories
from tests.trainer_factories import trainer_profile

NEW_PASSWORD = "a long new password"


def _invite(client, email="casey@charity.example.org", role="trainer"):
    return client.post(
        "/admin/accounts/invite",
        data={"first_name": "Casey", "last_name": "Lee", "email": email, "role": role},
    )


def _link_path(db) -> str:
    message = db.session.scalars(
        select(Notification).where(Notification.kind == "staff_invite")
    ).one()
    return re.search(r"https?://[^/\s]+(/account/invite/\S+)", message.body).group(1)


def test_an_invited_trainer_chooses_a_password_once_and_signs_in(client, auth, db):
    admin = auth.login_as(Role.ADMIN)
    assert _invite(client).status_code == 303
    invited = db.session.scalars(
        select(User).where(User.email == "casey@charity.example.org")
    ).one()
    assert invited.role == Role.TRAINER and not invited.password_chosen
    listing = client.get("/admin/accounts/").get_data(as_text=True)
    assert "Invited, no password yet" in listing
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.invited")
    ).one()
    assert event.actor_id == admin.id
    auth.logout()

    link = _link_path(db)
    assert client.get(link).status_code == 200
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    chosen = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.status_code == 303

    assert client.get(link).status_code == 404  # it worked once
    signed_in = client.post(
        "/account/login", data={"email": "casey@charity.example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in.headers["Location"].startswith("/trainer")


def test_an_address_already_in_use_is_refused_beside_the_email(client, auth, db):
    factories.user(Role.ATTENDEE, email="taken@example.org")
    auth.login_as(Role.ADMIN)

    response = _invite(client, email="taken@example.org", role="finance")

    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="email-error"' in page
    assert 'value="Casey"' in page  # what was typed is kept
    assert db.session.scalar(select(Notification.id)) is None


def test_each_staff_role_lands_on_the_dashboard(client, auth, db):
    for role in (Role.SCHEDULER, Role.FINANCE, Role.SAFEGUARDING):
        person = factories.user(role)
        db.session.commit()
        response = client.post(
            "/account/login", data={"email": person.email, "password": factories.PASSWORD}
        )
        assert response.headers["Location"] == "/admin/", role
        assert client.get("/admin/").status_code == 200, role
        auth.logout()


def test_a_deactivated_account_is_signed_out_and_cannot_sign_in(client, auth, db):
    finance = factories.user(Role.FINANCE)
    db.session.commit()
    other = client.application.test_client()
    other.post("/account/login", data={"email": finance.email, "password": factories.PASSWORD})
    assert other.get("/admin/money/waivers").status_code == 200
    admin = auth.login_as(Role.ADMIN)

    refused = client.post(
        f"/admin/accounts/{admin.id}/deactivate",
        data={"why": "Test"},
        headers={"Referer": "http://localhost/admin/accounts/"},
    )
    done = client.post(f"/admin/accounts/{finance.id}/deactivate", data={"why": "Left the charity"})

    assert refused.status_code == 303
    assert "cannot deactivate your own" in client.get("/admin/accounts/").get_data(as_text=True)
    assert done.status_code == 303
    assert other.get("/admin/money/waivers").status_code == 302  # signed out everywhere
    again = other.post(
        "/account/login", data={"email": finance.email, "password": factories.PASSWORD}
    )
    assert again.status_code != 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.deactivated")
    ).one()
    assert (event.actor_id, event.detail["why"]) == (admin.id, "Left the charity")


def test_safeguarding_write_down_a_persons_answers(client, auth, db):
    person = factories.user(first_name="Dana")
    lead = auth.login_as(Role.SAFEGUARDING)

    page = client.get(f"/admin/people/{person.id}/answers").get_data(as_text=True)
    saved = client.post(
        f"/admin/people/{person.id}/answers",
        data={"needs_step_free": "y", "preferred_name": "D", "why": "They called"},
    )

    assert "Email is safe" in page
    assert saved.status_code == 303
    record = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Step-free access" in record and "Name to use: D" in record
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "profile.preferences_saved")
    ).one()
    assert (event.actor_id, event.detail["why"]) == (lead.id, "They called")


def test_a_deactivated_trainer_is_no_longer_offered_for_sessions(client, auth, db):
    profile = trainer_profile()
    auth.login_as(Role.ADMIN)

    client.post(f"/admin/accounts/{profile.user_id}/deactivate", data={"why": "Stopped training"})

    db.session.expire_all()
    assert not profile.is_active


def test_an_admin_invites_a_force_contact_for_one_force_then_deactivates_her(client, auth, db):
    """Failed before: no role to invite a force contact to; they existed only in demo data."""
    dyfed = factories.force("dyfed-powys")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    data = {
        "first_name": "Rhian",
        "last_name": "Evans",
        "email": "rhian.evans@dyfed-powys.example.uk",
        "role": "force_contact",
    }
    no_force = client.post("/admin/accounts/invite", data=data)
    assert no_force.status_code in (400, 409, 422)
    assert "Choose the police force" in no_force.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == data["email"])) is None
    assert (
        client.post("/admin/accounts/invite", data={**data, "force_id": dyfed.id}).status_code
        == 303
    )
    rhian = db.session.scalars(select(User).where(User.email == data["email"])).one()
    assert (rhian.role, rhian.force_id) == (Role.FORCE_CONTACT, dyfed.id)
    auth.logout()

    link = _link_path(db)
    assert (
        client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 303
    )
    signed_in = client.post(
        "/account/login", data={"email": data["email"], "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in.headers["Location"].startswith("/force")
    assert client.post("/force/tokens", data={"name": "Niche RMS"}).status_code == 200
    assert client.get("/admin/accounts/").status_code == 403
    client.post("/account/logout")

    auth.login_as(Role.ADMIN)
    deactivated = client.post(
        f"/admin/accounts/{rhian.id}/deactivate", data={"why": "Left the force"}
    )
    assert deactivated.status_code == 303
    auth.logout()
    again = client.post("/account/login", data={"email": data["email"], "password": NEW_PASSWORD})
    assert again.status_code != 302 or not again.headers["Location"].startswith("/force")
