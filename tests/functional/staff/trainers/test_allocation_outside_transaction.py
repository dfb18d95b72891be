"""The allocation solver runs with no transaction open, and the proposal it leads to is checked
against what changed in the database while it was solving."""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from booking.models import AllocationRun, ProposedAssignment, Role, Unavailability, utcnow
from booking.services.trainers.allocation import runs, solver
from booking.web.filters import local
from tests import factories
from tests.trainer_factories import trainer_profile

real_solve = solver.solve


def _form():
    today = local(utcnow()).date()
    return {"date_from": today.isoformat(), "date_to": (today + timedelta(days=10)).isoformat()}


def _staffable(db):
    course = factories.course_type()
    area = factories.force()
    session = factories.course_session(
        course_type_row=course,
        venue_row=factories.venue(area),
        starts_at=(utcnow() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    trainer = trainer_profile(course_types=[course], forces=[area])
    db.session.commit()
    return session, trainer


def _use_solver(monkeypatch, fake):
    monkeypatch.setattr(solver, "solve", fake)
    monkeypatch.setattr(runs, "solve", fake, raising=False)  # where it was called from before


@pytest.mark.database
def test_the_solver_runs_with_no_transaction_open(client, db, auth, monkeypatch):
    session, trainer = _staffable(db)
    seen = []

    def watching(problem, **options):
        seen.append(db.session().in_transaction())
        return real_solve(problem, **options)

    _use_solver(monkeypatch, watching)
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/trainers/allocation", data=_form())
    assert response.status_code == 303
    assert seen == [False]
    run = db.session.scalars(select(AllocationRun)).one()
    proposals = db.session.scalars(select(ProposedAssignment)).all()
    assert [(p.run_id, p.session_id, p.trainer_id) for p in proposals] == [
        (run.id, session.id, trainer.id)
    ]


@pytest.mark.database
def test_leave_added_while_solving_keeps_that_trainer_out_of_the_proposal(
    client, db, auth, monkeypatch
):
    session, trainer = _staffable(db)

    def with_leave_added_meanwhile(problem, **options):
        result = real_solve(problem, **options)
        with db.engine.begin() as other_connection:  # someone else, while the solver thinks
            other_connection.execute(
                insert(Unavailability).values(
                    trainer_id=trainer.id,
                    starts_at=session.starts_at - timedelta(hours=1),
                    ends_at=session.ends_at + timedelta(hours=1),
                    reason="Sick",
                )
            )
        return result

    _use_solver(monkeypatch, with_leave_added_meanwhile)
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/trainers/allocation", data=_form())
    assert response.status_code == 303
    assert db.session.scalars(select(ProposedAssignment)).all() == []
    page = client.get(response.headers["Location"]).text
    assert "the schedule changed while the allocation was being worked out" in page
    assert "not available then" in page
