"""Data protection as staff and people meet it: a person's data, the access log, erasure,
the privacy notice, and the apply-retention command."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from booking.jobs import retention as retention_job
from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Referral,
    ReferralStatus,
    RetentionRun,
    Role,
    User,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.services.privacy.policy import months_before
from tests import factories
from tests.privacy_factories import history
from tests.referral_factories import referral as make_referral


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_person_asks_for_their_data_and_gets_it_as_a_page_and_a_file(client, auth, db):
    person = factories.user(Role.ATTENDEE, first_name="Robin", last_name="Ashdown")
    booking = bookings.book_session(factories.course_session().id, person, now=utcnow())
    force = factories.force()
    make_referral(force, factories.course_type(), user_id=person.id, police_reference="AB-77")
    db.session.commit()
    staff = auth.login_as(Role.SAFEGUARDING)

    found = client.get("/admin/privacy/people", query_string={"person": person.email})
    assert found.status_code == 302
    page = client.get(found.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("Robin", "Ashdown", booking.reference, "AB-77", "Download as a JSON file"):
        assert shown in text
    assert "Password hash" not in text and "Session version" not in text

    download = client.get(f"/admin/privacy/people/{person.id}/data.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.get_data(as_text=True))
    assert data["account"][0]["email"] == person.email
    assert "password_hash" not in data["account"][0]
    assert [b["reference"] for b in data["bookings"]] == [booking.reference]
    assert data["referrals"][0]["police_reference"] == "AB-77"
    # Both looks at the person's data are recorded against the staff member who took them.
    viewed = _events(db, "person.data_viewed") + _events(db, "person.data_exported")
    assert {(e.actor_id, e.entity_id) for e in viewed} == {(staff.id, person.id)}


def test_staff_see_who_looked_at_a_person_filtered_and_exported(client, auth, db):
    person = factories.user(Role.ATTENDEE)
    other = factories.user(Role.ATTENDEE)
    db.session.commit()
    looker = auth.login_as(Role.ADMIN)
    client.get(f"/admin/privacy/people/{person.id}")
    client.get(f"/admin/privacy/people/{other.id}")
    auth.logout()
    lead = auth.login_as(Role.SAFEGUARDING)

    page = client.get(
        "/admin/privacy/access-log",
        query_string={"person": person.email, "staff": looker.id},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{looker.first_name} {looker.last_name}" in text
    assert "person: data viewed" in text
    assert f"person {other.id}<" not in text  # the other person's record is filtered out

    export = client.get("/admin/privacy/access-log.csv", query_string={"person": str(person.id)})
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert export.mimetype == "text/csv"
    assert {row["record_id"] for row in rows} == {str(person.id)}
    assert "person.data_viewed" in {row["action"] for row in rows}
    # Viewing and exporting the log are in the log, with whoever did it.
    logged = _events(db, "access_log.viewed") + _events(db, "access_log.exported")
    assert {e.actor_id for e in logged} == {lead.id}
    assert {e.entity_id for e in logged} == {person.id}


def test_access_log_date_filter_and_bad_input(client, auth, db):
    person = factories.user(Role.ATTENDEE)
    db.session.add(
        AuditEvent(
            at=utcnow() - timedelta(days=40),
            action="profile.viewed",
            entity_type="user",
            entity_id=person.id,
            detail={},
        )
    )
    db.session.commit()
    auth.login_as(Role.ADMIN)
    today = utcnow().date()
    recent = client.get(
        "/admin/privacy/access-log",
        query_string={"person": str(person.id), "date_from": (today - timedelta(days=7))},
    )
    assert "profile: viewed" not in recent.get_data(as_text=True)
    older = client.get(
        "/admin/privacy/access-log",
        query_string={"person": str(person.id), "date_to": (today - timedelta(days=30))},
    )
    assert "profile: viewed" in older.get_data(as_text=True)

    nobody = client.get("/admin/privacy/access-log", query_string={"person": "no-such@x.org"})
    assert nobody.status_code == 400
    assert "No person matches this" in nobody.get_data(as_text=True)
    backwards = client.get(
        "/admin/privacy/access-log",
        query_string={"date_from": "2026-05-02", "date_to": "2026-05-01"},
    )
    assert backwards.status_code == 400
    assert "on or after the first date" in backwards.get_data(as_text=True)


def test_access_log_query_count_does_not_grow(client, auth, db, count_queries):
    person = factories.user(Role.ATTENDEE)
    staff = factories.user(Role.ADMIN)
    db.session.commit()
    auth.login_as(user=staff)

    def add_events(n: int) -> None:
        for _ in range(n):
            viewer = factories.user(Role.SAFEGUARDING)
            db.session.add(
                AuditEvent(
                    action="profile.viewed",
                    entity_type="user",
                    entity_id=person.id,
                    actor_id=viewer.id,
                    detail={},
                )
            )
        db.session.commit()

    def page_queries() -> int:
        with count_queries() as counter:
            response = client.get("/admin/privacy/access-log", query_string={"person": person.id})
        assert response.status_code == 200
        return counter.count

    add_events(2)
    few = page_queries()
    add_events(30)
    assert page_queries() == few


@pytest.mark.parametrize("role", [Role.SCHEDULER, Role.FINANCE, Role.TRAINER, Role.ATTENDEE])
def test_only_admins_and_the_safeguarding_lead_see_personal_data(client, auth, db, role):
    person = factories.user(Role.ATTENDEE)
    db.session.commit()
    auth.login_as(role)
    for url in (
        "/admin/privacy/access-log",
        f"/admin/privacy/people/{person.id}",
        f"/admin/privacy/people/{person.id}/data.json",
    ):
        assert client.get(url).status_code == 403, url


def test_erasure_with_a_reason_removes_the_person_now(client, auth, db):
    old = history(months_before(utcnow(), 15))
    person_id, email = old.person.id, old.person.email
    db.session.commit()
    staff = auth.login_as(Role.ADMIN)

    empty = client.post(f"/admin/privacy/people/{person_id}/erase", data={"reason": ""})
    assert empty.status_code == 400
    assert "Give the reason for erasing" in empty.get_data(as_text=True)
    assert db.session.get(User, person_id).email == email  # nothing changed

    done = client.post(
        f"/admin/privacy/people/{person_id}/erase",
        data={"reason": "Asked by phone on Monday", "confirm": "y"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Their details have been removed" in text
    person = db.session.get(User, person_id)
    assert person.email.endswith("@removed.invalid") and not person.is_active_account
    referral = db.session.scalar(select(Referral).where(Referral.user_id == person_id))
    assert referral.police_reference.startswith("removed-")
    assert email not in text
    run = db.session.scalar(select(RetentionRun).where(RetentionRun.is_erasure.is_(True)))
    assert run.started_by_id == staff.id
    erased = _events(db, "person.erased")
    assert [(e.actor_id, e.detail["reason"]) for e in erased] == [
        (staff.id, "Asked by phone on Monday")
    ]
    # Once erased, the page says so plainly rather than offering to do it again.
    again = client.get(f"/admin/privacy/people/{person_id}").get_data(as_text=True)
    assert "already been removed" in again


def test_erasure_is_refused_plainly_while_a_referral_is_open(client, auth, db):
    person = factories.user(Role.ATTENDEE)
    make_referral(factories.force(), factories.course_type(), user_id=person.id)
    email = person.email
    db.session.commit()
    auth.login_as(Role.SAFEGUARDING)
    page = client.get(f"/admin/privacy/people/{person.id}").get_data(as_text=True)
    assert "referral from the police is still open" in page
    refused = client.post(
        f"/admin/privacy/people/{person.id}/erase", data={"reason": "asked", "confirm": "y"}
    )
    assert refused.status_code == 409
    assert "still open" in refused.get_data(as_text=True)
    assert db.session.get(User, person.id).email == email


def test_erasure_is_refused_with_the_date_while_a_referral_must_be_kept(client, auth, db):
    recent = history(utcnow() - timedelta(days=60))
    referral = recent.of(Referral)[0]
    assert referral.status == ReferralStatus.COMPLETED
    db.session.commit()
    auth.login_as(Role.ADMIN)
    refused = client.post(
        f"/admin/privacy/people/{recent.person.id}/erase",
        data={"reason": "asked", "confirm": "y"},
    )
    assert refused.status_code == 409
    assert "We must keep their referral record until" in refused.get_data(as_text=True)


def test_privacy_notice_is_linked_from_the_footer_booking_and_referral_pages(client, auth, db):
    notice = client.get("/privacy")
    text = notice.get_data(as_text=True)
    assert notice.status_code == 200
    for words in ("What we keep", "How long we keep it", "Who sees it", "How to ask"):
        assert words in text
    assert "12 months after the referral ends" in text
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in client.get("/referral/start").get_data(as_text=True)
    course_session = factories.course_session()
    person = factories.user(Role.ATTENDEE)
    db.session.add(AttendeeProfile(user_id=person.id, prefers_women_only=False))
    db.session.commit()
    auth.login_as(user=person)
    book = client.get(f"/my/sessions/{course_session.id}/book").get_data(as_text=True)
    assert book.count('href="/privacy"') >= 2  # the page itself, and the footer


def test_apply_retention_command_dry_run_then_run_then_nothing_left(app, db):
    history(months_before(utcnow(), 30))
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["apply-retention", "--dry-run"])
    assert dry.exit_code == 0 and dry.output.startswith("Would anonymise")
    assert db.session.scalar(select(func.count()).select_from(RetentionRun)) == 0

    first = runner.invoke(args=["apply-retention"])
    assert first.exit_code == 0 and "Name, contact details and messages (people): 1" in first.output
    second = runner.invoke(args=["apply-retention"])
    assert second.output.strip() == "Anonymised 0 record(s)."
    assert db.session.scalar(select(func.count()).select_from(RetentionRun)) == 2


def test_staff_see_each_run_and_what_it_removed(client, auth, db, app):
    history(months_before(utcnow(), 30))
    db.session.commit()
    app.test_cli_runner().invoke(args=["apply-retention"])
    auth.login_as(Role.SAFEGUARDING)
    # The safeguarding lead finds the pages from the staff navigation on the dashboard.
    assert 'href="/admin/privacy/"' in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/privacy/").get_data(as_text=True)
    assert "Run by hand" in page
    assert "Name, contact details and messages (people): 1" in page


def test_the_daily_job_runs_in_its_own_transaction_and_staff_see_it(client, auth, db, app):
    old = history(months_before(utcnow(), 30))
    person_id = old.person.id
    db.session.commit()
    result = retention_job.run(utcnow())
    assert result.counts["contact_details"] == 1
    db.session.rollback()  # the job committed on its own: nothing here is left to write
    assert db.session.get(User, person_id).email.endswith("@removed.invalid")
    auth.login_as(Role.ADMIN)
    assert "Daily schedule" in client.get("/admin/privacy/").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["²", "①", "1²"])
def test_a_digit_int_cannot_read_is_no_match_not_a_server_error(client, auth, typed):
    auth.login_as(Role.SAFEGUARDING)
    found = client.get("/admin/privacy/people", query_string={"person": typed})
    assert found.status_code == 400
    assert "No person matches this" in found.get_data(as_text=True)
    log = client.get("/admin/privacy/access-log", query_string={"person": typed})
    assert log.status_code in (200, 400) and "No person matches this" in log.get_data(as_text=True)
