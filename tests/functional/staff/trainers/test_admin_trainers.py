"""Admin trainer pages: allocation propose/review/publish, manual assignment rules, reports,
and who may open every trainer and admin-trainer page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import (
    AllocationRun,
    Role,
    RunStatus,
    SessionAssignment,
    TrainerProfile,
    Unavailability,
    utcnow,
)
from booking.web.filters import local
from tests import factories
from tests.trainer_factories import assign, trainer_profile


def _allocation_form(days=10):
    today = local(utcnow()).date()
    return {"date_from": today.isoformat(), "date_to": (today + timedelta(days=days)).isoformat()}


def test_admin_runs_allocation_reviews_reasons_and_publishes(client, db, auth):
    course = factories.course_type(name="Drug awareness")
    area = factories.force("dorset")
    staffable = factories.course_session(
        course_type_row=course,
        venue_row=factories.venue(area),
        starts_at=(utcnow() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    stranded = factories.course_session(
        course_type_row=course,
        women_only=True,
        venue_row=factories.venue(area),
        starts_at=(utcnow() + timedelta(days=4)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    amira = trainer_profile(course_types=[course], forces=[area], can_lead_women_only=False)
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/trainers/allocation", data=_allocation_form())
    assert response.status_code == 303
    run = db.session.scalars(select(AllocationRun)).one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert amira.name in page
    assert "no qualified trainer who can lead women-only groups covers sessions in Dorset" in page
    assert db.session.scalars(select(SessionAssignment)).all() == []  # nothing until published

    assert client.post(f"/admin/trainers/allocation/runs/{run.id}/publish").status_code == 303
    rows = db.session.scalars(select(SessionAssignment)).all()
    assert [(r.session_id, r.trainer_id, r.is_lead) for r in rows] == [
        (staffable.id, amira.id, True)
    ]
    db.session.refresh(run)
    assert run.status == RunStatus.PUBLISHED
    # Publishing twice does nothing more.
    client.post(f"/admin/trainers/allocation/runs/{run.id}/publish", headers={"Referer": "/admin/"})
    assert len(db.session.scalars(select(SessionAssignment)).all()) == 1
    short = client.get("/admin/trainers/short").get_data(as_text=True)
    assert f"/admin/trainers/sessions/{stranded.id}" in short
    assert f"/admin/trainers/sessions/{staffable.id}" not in short


def test_manual_assignment_breaking_a_rule_is_refused_with_a_clear_message(client, db, auth):
    course, other_course = factories.course_type(), factories.course_type()
    area = factories.force()
    session = factories.course_session(course_type_row=course, venue_row=factories.venue(area))
    unqualified = trainer_profile(course_types=[other_course], forces=[area])
    auth.login_as(Role.ADMIN)
    response = client.post(
        f"/admin/trainers/sessions/{session.id}",
        data={"trainer_id": unqualified.id},
        headers={"Referer": f"http://localhost/admin/trainers/sessions/{session.id}"},
    )
    # The same page again, the chosen trainer still selected, the reason beside the choice.
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="trainer_id-error"' in page
    assert "not qualified to deliver this course" in page
    assert f'<option selected value="{unqualified.id}">' in page
    assert db.session.scalars(select(SessionAssignment)).all() == []


def test_manual_assignment_rejects_a_clash_and_accepts_a_valid_trainer(client, db, auth):
    course = factories.course_type()
    area = factories.force()
    # A morning, so both sessions fall inside the trainer's availability whatever time it is now.
    starts = (utcnow() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    first = factories.course_session(
        course_type_row=course, venue_row=factories.venue(area), starts_at=starts
    )
    second = factories.course_session(
        course_type_row=course,
        venue_row=factories.venue(area),
        starts_at=starts + timedelta(hours=2, minutes=30),
    )
    busy = trainer_profile(course_types=[course], forces=[area])
    assign(first, busy)
    auth.login_as(Role.ADMIN)
    client.post(
        f"/admin/trainers/sessions/{second.id}",
        data={"trainer_id": busy.id},
        headers={"Referer": "http://localhost/admin/"},
    )
    assert (
        db.session.scalars(
            select(SessionAssignment).where(SessionAssignment.session_id == second.id)
        ).all()
        == []
    )
    free = trainer_profile(course_types=[course], forces=[area])
    response = client.post(f"/admin/trainers/sessions/{second.id}", data={"trainer_id": free.id})
    assert response.status_code == 303
    row = db.session.scalars(
        select(SessionAssignment).where(SessionAssignment.session_id == second.id)
    ).one()
    assert (row.trainer_id, row.is_lead) == (free.id, True)
    row_id = row.id
    assert client.post(f"/admin/trainers/assignments/{row_id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(SessionAssignment, row_id) is None


def test_admin_creates_a_trainer_profile(client, db, auth):
    course = factories.course_type()
    area = factories.force()
    person = factories.user(Role.TRAINER, first_name="Nia")
    auth.login_as(Role.ADMIN)
    response = client.post(
        "/admin/trainers/new",
        data={
            "user_id": person.id,
            "course_type_ids": [course.id],
            "force_ids": [area.id],
            "can_lead_women_only": "y",
            "max_sessions_per_week": "3",
            "home_force_id": area.id,
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    profile = db.session.scalars(select(TrainerProfile)).one()
    assert profile.can_lead_women_only and profile.max_sessions_per_week == 3
    assert [c.id for c in profile.course_types] == [course.id]
    assert "Nia" in client.get("/admin/trainers/").get_data(as_text=True)


def test_load_page_has_chart_and_table_and_query_count_does_not_grow(
    client, db, auth, count_queries
):
    course = factories.course_type()
    area = factories.force()
    trainers = [trainer_profile(course_types=[course], forces=[area]) for _ in range(2)]
    assign(factories.course_session(course_type_row=course), trainers[0])
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/trainers/load").get_data(as_text=True)
    assert "<svg" in page and "<table" in page and trainers[0].name in page
    with count_queries() as few:
        client.get("/admin/trainers/load")
    for _ in range(5):
        assign(
            factories.course_session(course_type_row=course), trainer_profile(course_types=[course])
        )
    with count_queries() as many:
        client.get("/admin/trainers/load")
    assert many.count == few.count


TRAINER_PAGES = [
    ("get", "/trainer/"),
    ("get", "/trainer/availability"),
    ("post", "/trainer/calendar/reset"),
]
ADMIN_PAGES = [
    ("get", "/admin/trainers/"),
    ("get", "/admin/trainers/new"),
    ("get", "/admin/trainers/allocation"),
    ("get", "/admin/trainers/short"),
    ("get", "/admin/trainers/load"),
]


@pytest.mark.parametrize("method,url", TRAINER_PAGES + ADMIN_PAGES)
def test_signed_out_people_are_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.ATTENDEE, Role.ADMIN])
@pytest.mark.parametrize("method,url", TRAINER_PAGES)
def test_trainer_pages_refuse_other_roles(client, auth, role, method, url):
    auth.login_as(role)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("role", [Role.ATTENDEE, Role.TRAINER])
@pytest.mark.parametrize("method,url", ADMIN_PAGES)
def test_admin_trainer_pages_refuse_other_roles(client, auth, role, method, url):
    auth.login_as(role)
    assert getattr(client, method)(url).status_code == 403


def _our_urls(app):
    """Every URL of the trainer, admin-trainer and certificate blueprints, with sample args."""
    samples = {"session_id": 1, "profile_id": 1, "run_id": 1, "assignment_id": 1, "row_id": 1,
               "kind": "slot", "token": "x", "reference": "ABC"}  # fmt: skip
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("trainer.", "staff.trainers.", "account.certificates.")):
            continue
        url = rule.build({name: samples[name] for name in rule.arguments})[1]
        method = "post" if "POST" in rule.methods and "GET" not in rule.methods else "get"
        yield rule.endpoint, method, url


def test_every_new_endpoint_refuses_the_wrong_people(app, client, auth):
    urls = list(_our_urls(app))
    assert len(urls) == 21
    for endpoint, method, url in urls:
        status = getattr(client, method)(url).status_code
        expected = (404,) if endpoint == "trainer.calendar_feed" else (302, 401)
        assert status in expected, (endpoint, status)
    allowed = {
        Role.ATTENDEE: "account.certificates.",
        Role.TRAINER: "trainer.",
        Role.ADMIN: "staff.trainers.",
    }
    for role, prefix in allowed.items():
        auth.login_as(role)
        for endpoint, method, url in urls:
            if endpoint.startswith(prefix) or endpoint == "trainer.calendar_feed":
                continue
            assert getattr(client, method)(url).status_code == 403, (role, endpoint)
        auth.logout()


def test_add_a_trainer_with_no_account_left_leads_to_the_invitation(client, db, auth):
    auth.login_as(Role.ADMIN)

    page = client.get("/admin/trainers/new").get_data(as_text=True)

    assert "invite the trainer" in page and 'href="/admin/accounts/invite?role=trainer"' in page
    invite = client.get("/admin/accounts/invite?role=trainer").get_data(as_text=True)
    assert '<option selected value="trainer">' in invite or 'value="trainer" selected' in invite
    auth.logout()
    auth.login_as(Role.SCHEDULER)
    scheduler_page = client.get("/admin/trainers/new").get_data(as_text=True)
    assert "ask an admin to invite them" in scheduler_page


def _on_leave(db, profile, course_session, reason="Holiday"):
    row = Unavailability(
        trainer_id=profile.id,
        starts_at=course_session.starts_at - timedelta(days=1),
        ends_at=course_session.ends_at + timedelta(days=1),
        reason=reason,
    )
    db.session.add(row)
    db.session.flush()


def test_trainers_time_shows_on_their_page_beside_each_candidate_and_in_the_reasons(
    client, db, auth
):
    course, area = factories.course_type(name="Drive Safe"), factories.force("wessex")
    session = factories.course_session(
        course_type_row=course,
        venue_row=factories.venue(area),
        starts_at=(utcnow() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    away = trainer_profile(
        course_types=[course], forces=[area], user=factories.user(Role.TRAINER, first_name="Amy")
    )
    _on_leave(db, away, session)
    free = trainer_profile(
        course_types=[course], forces=[area], user=factories.user(Role.TRAINER, first_name="Bo")
    )
    auth.login_as(Role.ADMIN)

    own_page = client.get(f"/admin/trainers/{away.id}/edit").get_data(as_text=True)
    assert "Weekly hours" in own_page and "Monday 00:00 to 23:59" in own_page
    assert "Leave and time off" in own_page and "(Holiday)" in own_page

    assigning = client.get(f"/admin/trainers/sessions/{session.id}").get_data(as_text=True)
    assert f"{away.name}</a>: on leave or time off then" in assigning
    assert f"{free.name}</a>: free then" in assigning
    assert f"{away.name}: on leave or time off then</option>" in assigning

    db.session.delete(free)
    db.session.flush()
    response = client.post("/admin/trainers/allocation", data=_allocation_form())
    run_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no qualified trainer free on" in run_page
    assert f"{away.name} is on leave or time off then" in run_page
