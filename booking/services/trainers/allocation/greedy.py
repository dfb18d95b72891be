"""Greedy first-fit allocation: the baseline the solver is measured against.

Sessions in start order; each takes the lowest-numbered trainers who pass every hard rule and
are still free. Fast, but it piles work on the first trainers and can strand later sessions.
"""

import time as clock
from collections import defaultdict

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


def solve_greedy(problem: Problem) -> Result:
    """First-fit: give each session, in start order, the first free eligible trainers."""
    started = clock.perf_counter()
    sessions = {s.id: s for s in problem.sessions}
    trainers = {t.id: t for t in problem.trainers}
    eligible = eligible_trainers(problem)
    fixed = fixed_by_session(problem)
    schedule: dict[int, list] = defaultdict(list)
    weekly: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    for assignment in problem.fixed:
        session = sessions.get(assignment.session_id)
        if session is not None:
            schedule[assignment.trainer_id].append(session)
            weekly[assignment.trainer_id, week_of(session.starts_at)] += 1
    new: list[Assignment] = []
    unstaffed: dict[int, str] = {}
    for session in sorted(problem.sessions, key=lambda s: (s.starts_at, s.id)):
        already = {a.trainer_id for a in fixed.get(session.id, [])}
        needed = session.trainers_needed - len(already)
        if needed <= 0:
            continue
        week = week_of(session.starts_at)
        chosen = []
        for trainer in sorted(eligible[session.id], key=lambda t: t.id):
            if trainer.id in already or weekly[trainer.id, week] >= trainer.max_sessions_per_week:
                continue
            if any(
                clash(session, other, problem.travel_buffer_minutes)
                for other in schedule[trainer.id]
            ):
                continue
            chosen.append(trainer)
            if len(chosen) == needed:
                break
        if len(chosen) < needed:
            unstaffed[session.id] = unstaffed_reason(problem, session)
            continue
        for trainer in chosen:
            schedule[trainer.id].append(session)
            weekly[trainer.id, week] += 1
            new.append(Assignment(session.id, trainer.id))
    return Result(
        assignments=choose_leads(problem, new, trainers),
        unstaffed=unstaffed,
        seconds=clock.perf_counter() - started,
        status="GREEDY",
    )
