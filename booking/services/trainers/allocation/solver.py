"""Optimal trainer allocation with OR-Tools CP-SAT.

Why CP-SAT rather than SciPy's MILP: the problem is all yes/no choices (this trainer on this
session) with many pairwise "not both" clashes and a max-minus-min fairness aim; CP-SAT handles
boolean structure natively, runs in parallel, accepts a starting solution (we give it the greedy
one, so it is never worse than greedy) and returns the best answer found within a time limit.

Objective, in strict priority order (the weights keep each tier above everything below it):
1. staff as many sessions as possible (a session is staffed only with all its trainers);
2. spread the load fairly: minimise (most sessions − fewest sessions) across trainers;
3. keep the same trainers across a series (fewest distinct trainers per series);
4. prefer trainers working in their home area.
"""

import time as clock
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from ortools.sat.python import cp_model

from booking.services.trainers.allocation.core import (
    Assignment,
    Problem,
    Result,
    choose_leads,
    clash,
    eligible_trainers,
    fixed_by_session,
    unstaffed_reason,
    week_of,
)
from booking.services.trainers.allocation.greedy import solve_greedy

STAFF_WEIGHT = 100_000_000
SPREAD_WEIGHT = 100_000
SERIES_WEIGHT = 10
HOME_WEIGHT = 1


def solve(
    problem: Problem,
    *,
    time_limit_seconds: float = 8.0,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Allocate trainers to ``problem.sessions`` under every hard rule (allocation_core).

    Fixed (manual) assignments are kept and count towards clashes and weekly maximums. Sessions
    that cannot be fully staffed are returned in ``Result.unstaffed`` with a plain reason.
    """
    say = progress or (lambda message: None)
    started = clock.perf_counter()
    sessions = {s.id: s for s in problem.sessions}
    trainers = {t.id: t for t in problem.trainers}
    buffer = problem.travel_buffer_minutes
    fixed = fixed_by_session(problem)
    fixed_sessions: dict[int, list] = defaultdict(list)
    fixed_weekly: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    fixed_load: dict[int, int] = defaultdict(int)
    for assignment in problem.fixed:
        session = sessions.get(assignment.session_id)
        fixed_load[assignment.trainer_id] += 1
        if session is not None:
            fixed_sessions[assignment.trainer_id].append(session)
            fixed_weekly[assignment.trainer_id, week_of(session.starts_at)] += 1

    say(f"Checking the rules for {len(sessions)} sessions and {len(trainers)} trainers...")
    baseline = solve_greedy(problem)
    greedy_pairs = {(a.session_id, a.trainer_id) for a in baseline.assignments}
    eligible = eligible_trainers(problem)
    model = cp_model.CpModel()
    choice: dict[tuple[int, int], cp_model.IntVar] = {}
    staffed: dict[int, cp_model.IntVar] = {}
    by_trainer: dict[int, list[int]] = defaultdict(list)
    for session in problem.sessions:
        already = {a.trainer_id for a in fixed.get(session.id, [])}
        needed = session.trainers_needed - len(already)
        if needed <= 0:
            continue
        candidates = [
            t
            for t in eligible[session.id]
            if t.id not in already
            and not any(clash(session, other, buffer) for other in fixed_sessions[t.id])
        ]
        flag = model.new_bool_var(f"staffed_{session.id}")
        staffed[session.id] = flag
        if len(candidates) < needed:
            model.add(flag == 0)
            continue
        for trainer in candidates:
            choice[session.id, trainer.id] = model.new_bool_var(f"x_{session.id}_{trainer.id}")
            by_trainer[trainer.id].append(session.id)
        model.add(sum(choice[session.id, t.id] for t in candidates) == needed * flag)

    say(f"Building the model: {len(choice)} possible trainer-session pairs...")
    loads = {}
    home_bonus = []
    for trainer in problem.trainers:
        mine = sorted(by_trainer[trainer.id], key=lambda sid: sessions[sid].starts_at)
        # Sessions at exactly the same times all clash: one "at most one" for the group is far
        # smaller than every pair. Other clashes (overlaps, travel time) are added pairwise.
        same_time: dict[tuple, list] = defaultdict(list)
        for session_id in mine:
            same_time[sessions[session_id].starts_at, sessions[session_id].ends_at].append(
                choice[session_id, trainer.id]
            )
        for group in same_time.values():
            if len(group) > 1:
                model.add_at_most_one(group)
        for index, session_id in enumerate(mine):
            first = sessions[session_id]
            for other_id in mine[index + 1 :]:
                second = sessions[other_id]
                if second.starts_at >= first.ends_at + timedelta(minutes=buffer):
                    break  # sorted by start: nothing later can clash with ``first``
                same = (first.starts_at, first.ends_at) == (second.starts_at, second.ends_at)
                if not same and clash(first, second, buffer):
                    model.add_at_most_one(
                        [choice[session_id, trainer.id], choice[other_id, trainer.id]]
                    )
        per_week: dict[tuple[int, int], list] = defaultdict(list)
        for session_id in mine:
            per_week[week_of(sessions[session_id].starts_at)].append(choice[session_id, trainer.id])
            home = trainer.home_force_id
            if home is not None and sessions[session_id].force_id == home:
                home_bonus.append(choice[session_id, trainer.id])
        for week, variables in per_week.items():
            room = max(0, trainer.max_sessions_per_week - fixed_weekly[trainer.id, week])
            if len(variables) > room:
                model.add(sum(variables) <= room)
        load = model.new_int_var(0, len(sessions) + fixed_load[trainer.id], f"load_{trainer.id}")
        model.add(load == fixed_load[trainer.id] + sum(choice[sid, trainer.id] for sid in mine))
        loads[trainer.id] = load

    series_terms = []
    series_members: dict[int, list[int]] = defaultdict(list)
    for session in problem.sessions:
        if session.series_id is not None and session.id in staffed:
            series_members[session.series_id].append(session.id)
    candidates_of: dict[int, list[int]] = defaultdict(list)
    for session_id, trainer_id in choice:
        candidates_of[session_id].append(trainer_id)
    for series_id, members in series_members.items():
        if len(members) < 2:
            continue
        for trainer_id in {t for sid in members for t in candidates_of[sid]}:
            used = model.new_bool_var(f"series_{series_id}_{trainer_id}")
            model.add_hint(used, any((sid, trainer_id) in greedy_pairs for sid in members))
            for session_id in members:
                if (session_id, trainer_id) in choice:
                    model.add_implication(choice[session_id, trainer_id], used)
            series_terms.append(used)

    objective = STAFF_WEIGHT * sum(staffed.values()) + HOME_WEIGHT * sum(home_bonus)
    objective -= SERIES_WEIGHT * sum(series_terms)
    if loads:
        most = model.new_int_var(0, len(sessions) + len(problem.fixed), "most")
        fewest = model.new_int_var(0, len(sessions) + len(problem.fixed), "fewest")
        model.add_max_equality(most, list(loads.values()))
        model.add_min_equality(fewest, list(loads.values()))
        objective -= SPREAD_WEIGHT * (most - fewest)
    model.maximize(objective)

    # Start from the greedy answer (every variable hinted, so the solver can take it as its first
    # solution at once): the solver's answer is never worse than greedy's.
    for key, variable in choice.items():
        model.add_hint(variable, key in greedy_pairs)
    for session_id, flag in staffed.items():
        model.add_hint(flag, session_id not in baseline.unstaffed)
    greedy_loads = baseline.loads(problem)
    for trainer_id, load in loads.items():
        model.add_hint(load, greedy_loads.get(trainer_id, 0))
    if loads:
        model.add_hint(most, max(greedy_loads[t] for t in loads))
        model.add_hint(fewest, min(greedy_loads[t] for t in loads))
    greedy_staffed = sum(1 for session_id in staffed if session_id not in baseline.unstaffed)
    model.add(sum(staffed.values()) >= greedy_staffed)

    say(f"Solving (up to {time_limit_seconds:g} s)...")
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(
        0.5, time_limit_seconds - (clock.perf_counter() - started)
    )
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        say("The solver found no answer in time; using the greedy allocation.")
        baseline.seconds = clock.perf_counter() - started
        return baseline
    new = [Assignment(sid, tid) for (sid, tid), var in choice.items() if solver.value(var)]
    unstaffed = {
        sid: unstaffed_reason(problem, sessions[sid])
        for sid, flag in staffed.items()
        if not solver.value(flag)
    }
    say(f"Done: {solver.status_name(status).lower()} answer, {len(unstaffed)} unstaffed.")
    return Result(
        assignments=choose_leads(problem, new, trainers),
        unstaffed=unstaffed,
        seconds=clock.perf_counter() - started,
        status=solver.status_name(status),
    )
