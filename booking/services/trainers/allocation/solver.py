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

A long range is solved one week (Monday to Sunday, UK time) at a time when no session of one
week can clash with a session of the next: the weekly maximums are per week, so the weeks are
independent but for the fairness aim and the series preference, which are carried forward (each
week counts the load of the weeks solved before it as fixed). Each week's model is a fraction of
the whole, so CP-SAT answers within the time limit where the whole would not.
"""

import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass
class _Fixed:
    """What manual assignments already take: their sessions, weekly counts and loads."""

    sessions: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    weekly: dict[tuple[int, tuple[int, int]], int] = field(default_factory=lambda: defaultdict(int))
    load: dict[int, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class _Model:
    """The CP-SAT model and the variables the objective and hints refer to."""

    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    choice: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    staffed: dict[int, cp_model.IntVar] = field(default_factory=dict)
    by_trainer: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    loads: dict[int, cp_model.IntVar] = field(default_factory=dict)
    home_bonus: list = field(default_factory=list)
    series_terms: list = field(default_factory=list)
    most: cp_model.IntVar | None = None
    fewest: cp_model.IntVar | None = None


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
    Where the solver finds no answer in time, greedy's stands and ``Result.fallback`` says so.
    """
    say = progress or (lambda message: None)
    started = clock.perf_counter()
    weeks = split_by_week(problem)
    if len(weeks) <= 1:
        return _solve_at_once(problem, time_limit_seconds, workers, say)
    new: list[Assignment] = []
    unstaffed: dict[int, str] = {}
    statuses: list[str] = []
    fixed = list(problem.fixed)
    for index, week in enumerate(weeks):
        left = time_limit_seconds - (clock.perf_counter() - started)
        part = Problem(
            sessions=week,
            trainers=problem.trainers,
            fixed=fixed,
            travel_buffer_minutes=problem.travel_buffer_minutes,
        )
        say(f"Week {index + 1} of {len(weeks)}:")
        answer = _solve_at_once(part, left / (len(weeks) - index), workers, say)
        new.extend(answer.assignments)
        unstaffed.update(answer.unstaffed)
        statuses.append(answer.status)
        fixed = [*fixed, *answer.assignments]
    fell_back = statuses.count(GREEDY)
    return Result(
        assignments=new,
        unstaffed=unstaffed,
        seconds=clock.perf_counter() - started,
        status=(
            GREEDY
            if fell_back == len(statuses)
            else f"GREEDY IN {fell_back} OF {len(statuses)} WEEKS"
            if fell_back
            else "OPTIMAL"
            if set(statuses) == {"OPTIMAL"}
            else "FEASIBLE"
        ),
        fallback=bool(fell_back),
    )


GREEDY = "GREEDY"
# However little of the time limit is left, the search gets this long to take greedy's hint.
MINIMUM_SEARCH_SECONDS = 0.2


def split_by_week(problem: Problem) -> list[list]:
    """The sessions by week (UK time), in order; one list when a session of one week could
    clash with one of the next (they end too close to the week's end to be solved apart)."""
    weeks: dict[tuple[int, int], list] = defaultdict(list)
    for session in problem.sessions:
        weeks[week_of(session.starts_at)].append(session)
    ordered = [weeks[key] for key in sorted(weeks)]
    buffer = timedelta(minutes=problem.travel_buffer_minutes)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if max(s.ends_at for s in earlier) + buffer > min(s.starts_at for s in later):
            return [list(problem.sessions)] if problem.sessions else []
    return ordered


def _solve_at_once(
    problem: Problem, time_limit_seconds: float, workers: int, say: Callable[[str], None]
) -> Result:
    """One CP-SAT model for the whole of ``problem``, warm-started from greedy's answer."""
    started = clock.perf_counter()
    sessions = {s.id: s for s in problem.sessions}
    trainers = {t.id: t for t in problem.trainers}
    fixed = _fixed_work(problem, sessions)

    say(f"Checking the rules for {len(sessions)} sessions and {len(trainers)} trainers...")
    baseline = solve_greedy(problem)
    greedy_pairs = {(a.session_id, a.trainer_id) for a in baseline.assignments}
    built = _Model()
    _add_session_choices(built, problem, fixed)
    say(f"Building the model: {len(built.choice)} possible trainer-session pairs...")
    for trainer in problem.trainers:
        _add_trainer_rules(built, problem, sessions, fixed, trainer)
    _add_series_terms(built, problem, greedy_pairs)
    _set_objective(built, problem, len(sessions))
    _hint_from_greedy(built, baseline, problem, greedy_pairs)

    say(f"Solving (up to {time_limit_seconds:g} s)...")
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(
        MINIMUM_SEARCH_SECONDS, time_limit_seconds - (clock.perf_counter() - started)
    )
    solver.parameters.num_workers = workers
    # Presolve on these models can take longer than the whole time limit before the search
    # even starts from greedy's hint; without it the hint is the first answer at once and the
    # search improves on it.
    solver.parameters.cp_model_presolve = False
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        say("The solver found no answer in time; using the greedy allocation.")
        baseline.seconds = clock.perf_counter() - started
        baseline.fallback = True
        return baseline
    new = [Assignment(sid, tid) for (sid, tid), var in built.choice.items() if solver.value(var)]
    unstaffed = {
        sid: unstaffed_reason(problem, sessions[sid])
        for sid, flag in built.staffed.items()
        if not solver.value(flag)
    }
    say(f"Done: {solver.status_name(status).lower()} answer, {len(unstaffed)} unstaffed.")
    return Result(
        assignments=choose_leads(problem, new, trainers),
        unstaffed=unstaffed,
        seconds=clock.perf_counter() - started,
        status=solver.status_name(status),
    )


def _fixed_work(problem: Problem, sessions: dict) -> _Fixed:
    fixed = _Fixed()
    for assignment in problem.fixed:
        session = sessions.get(assignment.session_id)
        fixed.load[assignment.trainer_id] += 1
        if session is not None:
            fixed.sessions[assignment.trainer_id].append(session)
            fixed.weekly[assignment.trainer_id, week_of(session.starts_at)] += 1
    return fixed


def _add_session_choices(built: _Model, problem: Problem, fixed: _Fixed) -> None:
    """One yes/no per eligible (session, trainer) and one "staffed" flag per session."""
    model = built.model
    buffer = problem.travel_buffer_minutes
    fixed_assignments = fixed_by_session(problem)
    eligible = eligible_trainers(problem)
    for session in problem.sessions:
        already = {a.trainer_id for a in fixed_assignments.get(session.id, [])}
        needed = session.trainers_needed - len(already)
        if needed <= 0:
            continue
        candidates = [
            t
            for t in eligible[session.id]
            if t.id not in already
            and not any(clash(session, other, buffer) for other in fixed.sessions[t.id])
        ]
        flag = model.new_bool_var(f"staffed_{session.id}")
        built.staffed[session.id] = flag
        if len(candidates) < needed:
            model.add(flag == 0)
            continue
        for trainer in candidates:
            built.choice[session.id, trainer.id] = model.new_bool_var(
                f"x_{session.id}_{trainer.id}"
            )
            built.by_trainer[trainer.id].append(session.id)
        model.add(sum(built.choice[session.id, t.id] for t in candidates) == needed * flag)


def _add_trainer_rules(
    built: _Model, problem: Problem, sessions: dict, fixed: _Fixed, trainer
) -> None:
    """A trainer's clashes, weekly maximum, home-area preference and load."""
    model = built.model
    mine = sorted(built.by_trainer[trainer.id], key=lambda sid: sessions[sid].starts_at)
    mine_vars = {session_id: built.choice[session_id, trainer.id] for session_id in mine}
    _add_clashes(model, sessions, mine, mine_vars, problem.travel_buffer_minutes)
    per_week: dict[tuple[int, int], list] = defaultdict(list)
    for session_id in mine:
        per_week[week_of(sessions[session_id].starts_at)].append(mine_vars[session_id])
        home = trainer.home_force_id
        if home is not None and sessions[session_id].force_id == home:
            built.home_bonus.append(mine_vars[session_id])
    for week, variables in per_week.items():
        room = max(0, trainer.max_sessions_per_week - fixed.weekly[trainer.id, week])
        if len(variables) > room:
            model.add(sum(variables) <= room)
    load = model.new_int_var(0, len(sessions) + fixed.load[trainer.id], f"load_{trainer.id}")
    model.add(load == fixed.load[trainer.id] + sum(mine_vars.values()))
    built.loads[trainer.id] = load


def _add_clashes(model, sessions: dict, mine: list[int], mine_vars: dict, buffer: int) -> None:
    # Sessions at exactly the same times all clash: one "at most one" for the group is far
    # smaller than every pair. Other clashes (overlaps, travel time) are added pairwise.
    same_time: dict[tuple, list] = defaultdict(list)
    for session_id in mine:
        session = sessions[session_id]
        same_time[session.starts_at, session.ends_at].append(mine_vars[session_id])
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
                model.add_at_most_one([mine_vars[session_id], mine_vars[other_id]])


def _add_series_terms(built: _Model, problem: Problem, greedy_pairs: set) -> None:
    """One "this trainer works in this series" flag per candidate, to keep series together."""
    series_members: dict[int, list[int]] = defaultdict(list)
    for session in problem.sessions:
        if session.series_id is not None and session.id in built.staffed:
            series_members[session.series_id].append(session.id)
    candidates_of: dict[int, list[int]] = defaultdict(list)
    for session_id, trainer_id in built.choice:
        candidates_of[session_id].append(trainer_id)
    for series_id, members in series_members.items():
        if len(members) < 2:
            continue
        for trainer_id in {t for sid in members for t in candidates_of[sid]}:
            used = built.model.new_bool_var(f"series_{series_id}_{trainer_id}")
            built.model.add_hint(used, any((sid, trainer_id) in greedy_pairs for sid in members))
            for session_id in members:
                if (session_id, trainer_id) in built.choice:
                    built.model.add_implication(built.choice[session_id, trainer_id], used)
            built.series_terms.append(used)


def _set_objective(built: _Model, problem: Problem, session_count: int) -> None:
    model = built.model
    objective = STAFF_WEIGHT * sum(built.staffed.values()) + HOME_WEIGHT * sum(built.home_bonus)
    objective -= SERIES_WEIGHT * sum(built.series_terms)
    if built.loads:
        top = session_count + len(problem.fixed)
        built.most = model.new_int_var(0, top, "most")
        built.fewest = model.new_int_var(0, top, "fewest")
        model.add_max_equality(built.most, list(built.loads.values()))
        model.add_min_equality(built.fewest, list(built.loads.values()))
        objective -= SPREAD_WEIGHT * (built.most - built.fewest)
    model.maximize(objective)


def _hint_from_greedy(built: _Model, baseline: Result, problem: Problem, greedy_pairs: set) -> None:
    """Every variable hinted with the greedy answer, so the solver can take it as its first
    solution at once: the solver's answer is never worse than greedy's."""
    model = built.model
    for key, variable in built.choice.items():
        model.add_hint(variable, key in greedy_pairs)
    for session_id, flag in built.staffed.items():
        model.add_hint(flag, session_id not in baseline.unstaffed)
    greedy_loads = baseline.loads(problem)
    for trainer_id, load in built.loads.items():
        model.add_hint(load, greedy_loads.get(trainer_id, 0))
    if built.most is not None and built.fewest is not None:
        model.add_hint(built.most, max(greedy_loads[t] for t in built.loads))
        model.add_hint(built.fewest, min(greedy_loads[t] for t in built.loads))
    greedy_staffed = sum(1 for session_id in built.staffed if session_id not in baseline.unstaffed)
    model.add(sum(built.staffed.values()) >= greedy_staffed)
