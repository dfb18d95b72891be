"""A long range is solved week by week (the weekly maximums are per week), and where the solver
finds no answer in time the greedy answer that stands is marked as a fallback: the benchmark
does not call it met."""

from datetime import timedelta

from bench.allocation import verdict
from booking.services.trainers.allocation import solver
from booking.services.trainers.allocation.core import Problem
from booking.services.trainers.allocation.greedy import solve_greedy
from tests.unit.trainers.test_allocation_rules import TUESDAY, session, trainer


def _three_weeks(**fields):
    sessions = [
        session(10 * week + day, TUESDAY + timedelta(weeks=week, days=day))
        for week in range(3)
        for day in range(3)
    ]
    return Problem(sessions, [trainer(1, max_sessions_per_week=2), trainer(2)], **fields)


def test_weeks_are_solved_apart_with_each_weekly_maximum_kept():
    problem = _three_weeks()
    assert [len(week) for week in solver.split_by_week(problem)] == [3, 3, 3]
    result = solver.solve(problem, time_limit_seconds=5, workers=1)
    assert result.unstaffed == {} and not result.fallback
    for week in range(3):
        mine = [a for a in result.assignments if a.trainer_id == 1 and a.session_id // 10 == week]
        assert len(mine) <= 2
    # Fairness is carried from week to week: nine sessions, two trainers.
    assert result.spread(problem) <= 1


def test_weeks_that_could_clash_across_midnight_are_solved_together():
    late_sunday = session(1, TUESDAY + timedelta(days=5, hours=13))  # Sun 23:00 to 01:00
    monday = session(2, TUESDAY + timedelta(days=6, hours=1))  # Mon 11:00, next week
    early = session(3, TUESDAY + timedelta(days=5, hours=14, minutes=30))  # Mon 00:30
    problem = Problem([late_sunday, monday, early], [trainer(1)])
    assert len(solver.split_by_week(problem)) == 1


def test_a_greedy_fallback_is_marked_and_not_met(monkeypatch):
    problem = _three_weeks()
    monkeypatch.setattr(
        solver.cp_model.CpSolver, "solve", lambda self, model: solver.cp_model.UNKNOWN
    )
    result = solver.solve(problem, time_limit_seconds=1, workers=1)
    assert result.fallback and result.status == "GREEDY"
    greedy = solve_greedy(problem)
    assert "MISSED" in verdict(problem, result, greedy)
    assert "fell back to greedy" in verdict(problem, result, greedy)


def test_an_answer_of_its_own_in_time_is_met():
    problem = _three_weeks()
    result = solver.solve(problem, time_limit_seconds=5, workers=1)
    assert verdict(problem, result, solve_greedy(problem)).endswith("met.")
