"""Allocation benchmark: CP-SAT against greedy first-fit on the same made-up quarter.

Run with ``python -m bench.allocation``. About 2,000 sessions and 150 trainers, no database.
Prints solve time, share of sessions staffed and load spread (most − fewest sessions per trainer).
"""

import argparse
import random
from datetime import UTC, date, datetime, time, timedelta

from booking.services.trainers.allocation.core import (
    LONDON,
    Problem,
    Result,
    SessionSpec,
    TrainerSpec,
    WeeklySlot,
    eligible_trainers,
)
from booking.services.trainers.allocation.greedy import solve_greedy
from booking.services.trainers.allocation.solver import solve

FORCES = 12
COURSE_TYPES = {1: 1, 2: 1, 3: 2, 4: 1}  # course type id -> trainers needed
SLOTS = [(time(9, 30), time(12, 30)), (time(13, 30), time(16, 30)), (time(18, 0), time(20, 0))]


def build_problem(sessions: int = 2000, trainers: int = 150, seed: int = 7) -> Problem:
    """A quarter (13 weeks from a Monday) of sessions and a pool of trainers, reproducibly."""
    rng = random.Random(seed)
    first_day = date(2027, 1, 4)
    venues = {force: [force * 10 + n for n in range(3)] for force in range(1, FORCES + 1)}
    session_rows = []
    series_id = 0
    while len(session_rows) < sessions:
        series_id += 1
        course = rng.choice(list(COURSE_TYPES))
        online = rng.random() < 0.2
        force = None if online else rng.randint(1, FORCES)
        venue = None if online else rng.choice(venues[force])
        weekday = rng.randrange(5)
        starts, ends = rng.choice(SLOTS)
        week = rng.randrange(13 - 3)
        for repeat in range(rng.choice([1, 1, 2, 4])):
            day = first_day + timedelta(weeks=week + repeat, days=weekday)
            start = datetime.combine(day, starts, LONDON).astimezone(UTC)
            end = datetime.combine(day, ends, LONDON).astimezone(UTC)
            session_rows.append(
                SessionSpec(
                    id=len(session_rows) + 1,
                    course_type_id=course,
                    starts_at=start,
                    ends_at=end,
                    trainers_needed=COURSE_TYPES[course],
                    force_id=force,
                    venue_id=venue,
                    is_online=online,
                    women_only=rng.random() < 0.15,
                    series_id=series_id,
                    area_name="online" if online else f"Area {force}",
                )
            )
            if len(session_rows) == sessions:
                break
    trainer_rows = []
    for number in range(1, trainers + 1):
        home = rng.randint(1, FORCES)
        areas = {home, rng.randint(1, FORCES), rng.randint(1, FORCES)}
        days = sorted(rng.sample(range(6), rng.choice([3, 4, 5])))
        leave_start = datetime.combine(
            first_day + timedelta(days=rng.randrange(84)), time(0), LONDON
        ).astimezone(UTC)
        trainer_rows.append(
            TrainerSpec(
                id=number,
                course_type_ids=frozenset(rng.sample(list(COURSE_TYPES), rng.choice([2, 3]))),
                force_ids=frozenset(areas),
                covers_online=rng.random() < 0.5,
                can_lead_women_only=rng.random() < 0.4,
                max_sessions_per_week=rng.choice([3, 4, 5]),
                home_force_id=home,
                weekly=tuple(WeeklySlot(d, time(9, 0), time(21, 0)) for d in days),
                unavailable=((leave_start, leave_start + timedelta(days=7)),),
            )
        )
    return Problem(sessions=session_rows, trainers=trainer_rows, travel_buffer_minutes=60)


def describe(name: str, problem: Problem, result: Result) -> str:
    total = len(problem.sessions)
    staffed = total - len(result.unstaffed)
    return (
        f"{name:<8} {result.seconds:7.2f} s   staffed {staffed:5d}/{total} "
        f"({100 * staffed / total:5.1f}%)   load spread {result.spread(problem):3d}"
        f"   ({result.status})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--trainers", type=int, default=150)
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    problem = build_problem(arguments.sessions, arguments.trainers, arguments.seed)
    eligible = eligible_trainers(problem)
    no_one = sum(1 for s in problem.sessions if len(eligible[s.id]) < s.trainers_needed)
    print(
        f"Allocation benchmark: {len(problem.sessions)} sessions, {len(problem.trainers)} "
        f"trainers, 13 weeks; {no_one} sessions have too few eligible trainers at all."
    )
    greedy = solve_greedy(problem)
    print(describe("greedy", problem, greedy))
    solver = solve(problem, time_limit_seconds=arguments.time_limit)
    print(describe("cp-sat", problem, solver))
    feasible_missed = len(solver.unstaffed) - no_one
    print(
        f"CP-SAT left {feasible_missed} session(s) unstaffed that had enough eligible trainers; "
        f"spread {solver.spread(problem)} vs greedy {greedy.spread(problem)}; "
        f"{verdict(problem, solver, greedy)}"
    )


TARGET_SECONDS = 10


def verdict(problem: Problem, solver: Result, greedy: Result) -> str:
    """Met only when the solver itself answered (no greedy fallback, for any week), within
    the time, staffing at least as many sessions as greedy with a load spread no worse."""
    missed = []
    if solver.fallback:
        missed.append(f"fell back to greedy ({solver.status})")
    if solver.seconds >= TARGET_SECONDS:
        missed.append(f"took {solver.seconds:.1f} s")
    if len(solver.unstaffed) > len(greedy.unstaffed):
        missed.append("staffed fewer sessions than greedy")
    if solver.spread(problem) > greedy.spread(problem):
        missed.append("spread the load worse than greedy")
    target = f"target: an answer of its own, no worse than greedy, < {TARGET_SECONDS} s"
    return f"{target}: " + ("MISSED (" + "; ".join(missed) + ")." if missed else "met.")


if __name__ == "__main__":
    main()
