"""Saving an allocation proposal checks every proposed assignment against the database as it is
now, set-wise: the statements it takes do not grow with the number of assignments."""

from datetime import timedelta

from sqlalchemy import select

from booking.models import ProposedAssignment, UnstaffedSession, utcnow
from booking.services.trainers.allocation import runs
from booking.services.trainers.allocation.core import Assignment, Problem, Result
from booking.web.filters import local
from tests import factories
from tests.trainer_factories import assign, trainer_profile


def _proposal(db, count: int):
    """``count`` sessions on the next days, each with its own qualified trainer, and a running
    run whose solver proposed each trainer for their session."""
    course = factories.course_type()
    area = factories.force()
    place = factories.venue(area)
    start = (utcnow() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    pairs = [
        (
            factories.course_session(
                course_type_row=course, venue_row=place, starts_at=start + timedelta(days=day)
            ),
            trainer_profile(course_types=[course], forces=[area]),
        )
        for day in range(count)
    ]
    today = local(utcnow()).date()
    run = runs.queue_run(today, today + timedelta(days=count + 3), by=None, now=utcnow())
    db.session.commit()
    runs.start_run(run.id)
    result = Result(
        assignments=[Assignment(s.id, t.id, is_lead=True) for s, t in pairs], unstaffed={}
    )
    return run, pairs, result


def _problem(result: Result) -> Problem:
    return Problem(sessions=[], trainers=[])


def test_saving_a_proposal_takes_the_same_statements_for_few_or_many_assignments(db, count_queries):
    few_run, _, few_result = _proposal(db, 2)
    with count_queries() as few:
        runs.save_proposal(few_run.id, _problem(few_result), few_result, now=utcnow())
    many_run, _, many_result = _proposal(db, 12)
    with count_queries() as many:
        runs.save_proposal(many_run.id, _problem(many_result), many_result, now=utcnow())
    saved = db.session.scalars(
        select(ProposedAssignment).where(ProposedAssignment.run_id == many_run.id)
    ).all()
    assert len(saved) == 12
    assert many.count == few.count, "\n".join(s[:70] for s in many.statements)


def test_a_proposal_that_no_longer_holds_is_left_out_with_its_reason(db):
    run, pairs, result = _proposal(db, 3)
    (taken, trainer), (cancelled, _), (kept, kept_trainer) = pairs
    # Meanwhile: the first trainer was given a clashing session by hand, the second session
    # was cancelled, the third is still fine.
    clashing = factories.course_session(
        venue_row=factories.venue(), starts_at=taken.starts_at + timedelta(minutes=30)
    )
    assign(clashing, trainer)
    cancelled.status = cancelled.status.CANCELLED
    db.session.flush()
    runs.save_proposal(run.id, _problem(result), result, now=utcnow())
    proposed = db.session.scalars(
        select(ProposedAssignment).where(ProposedAssignment.run_id == run.id)
    ).all()
    assert [(p.session_id, p.trainer_id) for p in proposed] == [(kept.id, kept_trainer.id)]
    reasons = {
        u.session_id: u.reason
        for u in db.session.scalars(
            select(UnstaffedSession).where(UnstaffedSession.run_id == run.id)
        )
    }
    assert reasons[cancelled.id].endswith("the session is no longer scheduled")
    assert reasons[taken.id].startswith(runs.CHANGED_MEANWHILE)
    assert taken.id in reasons and kept.id not in reasons
