"""Trainer allocation on plain data: the hard rules, shared by the solver, the greedy baseline,
the benchmark and the manual-assignment check. No database, no Flask.

Hard rules (a trainer may take a session only if every one holds):
- qualified for the session's course type;
- covers the session's police-force area (or, for an online session, covers online);
- women-only sessions only to trainers who can lead women-only groups;
- available: a weekly availability slot on that weekday covers the whole session (UK local
  time), and no one-off unavailability or leave overlaps it;
- no two sessions overlap, and in-person sessions at different venues are at least the travel
  buffer apart;
- no more than the trainer's weekly maximum in one week (Monday to Sunday, UK time);
- existing manual assignments are kept as they are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from booking.services.clock import LONDON

DEFAULT_TRAVEL_BUFFER_MINUTES = 60


@dataclass(frozen=True)
class SessionSpec:
    id: int
    course_type_id: int
    starts_at: datetime
    ends_at: datetime
    trainers_needed: int = 1
    force_id: int | None = None
    venue_id: int | None = None
    is_online: bool = False
    women_only: bool = False
    series_id: int | None = None
    course_name: str = "this course"
    area_name: str = "online"


@dataclass(frozen=True)
class WeeklySlot:
    weekday: int  # Monday is 0
    starts: time
    ends: time


@dataclass(frozen=True)
class TrainerSpec:
    id: int
    course_type_ids: frozenset[int]
    force_ids: frozenset[int]
    covers_online: bool = False
    can_lead_women_only: bool = False
    max_sessions_per_week: int = 5
    home_force_id: int | None = None
    weekly: tuple[WeeklySlot, ...] = ()
    unavailable: tuple[tuple[datetime, datetime], ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Assignment:
    session_id: int
    trainer_id: int
    is_lead: bool = False


@dataclass
class Problem:
    sessions: list[SessionSpec]
    trainers: list[TrainerSpec]
    fixed: list[Assignment] = field(default_factory=list)
    travel_buffer_minutes: int = DEFAULT_TRAVEL_BUFFER_MINUTES


@dataclass
class Result:
    assignments: list[Assignment]  # new ones only; fixed ones are not repeated
    unstaffed: dict[int, str]  # session id -> plain reason
    seconds: float = 0.0
    status: str = ""
    # True when the solver found no answer in time (for some week or all) and greedy's stands.
    fallback: bool = False

    def loads(self, problem: Problem) -> dict[int, int]:
        counts = {trainer.id: 0 for trainer in problem.trainers}
        for assignment in [*problem.fixed, *self.assignments]:
            if assignment.trainer_id in counts:
                counts[assignment.trainer_id] += 1
        return counts

    def spread(self, problem: Problem) -> int:
        counts = list(self.loads(problem).values())
        return max(counts) - min(counts) if counts else 0


def week_of(moment: datetime) -> tuple[int, int]:
    iso = moment.astimezone(LONDON).isocalendar()
    return iso.year, iso.week


def day_label(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b}"


def is_qualified(trainer: TrainerSpec, session: SessionSpec) -> bool:
    return session.course_type_id in trainer.course_type_ids


def covers_area(trainer: TrainerSpec, session: SessionSpec) -> bool:
    if session.is_online:
        return trainer.covers_online
    return session.force_id in trainer.force_ids


def may_lead_group(trainer: TrainerSpec, session: SessionSpec) -> bool:
    return trainer.can_lead_women_only or not session.women_only


def is_available(trainer: TrainerSpec, session: SessionSpec) -> bool:
    start = session.starts_at.astimezone(LONDON)
    end = session.ends_at.astimezone(LONDON)
    if start.date() != end.date():
        return False
    in_pattern = any(
        slot.weekday == start.weekday() and slot.starts <= start.time() and end.time() <= slot.ends
        for slot in trainer.weekly
    )
    if not in_pattern:
        return False
    return not any(
        away_from < session.ends_at and session.starts_at < away_until
        for away_from, away_until in trainer.unavailable
    )


def time_words(trainer: TrainerSpec, session: SessionSpec) -> str:
    """Whether the trainer's time allows the session, in words for staff choosing someone:
    "free then", "on leave or time off then", or "outside their weekly hours then"."""
    on_leave = any(
        away_from < session.ends_at and session.starts_at < away_until
        for away_from, away_until in trainer.unavailable
    )
    if on_leave:
        return "on leave or time off then"
    if not is_available(trainer, session):
        return "outside their weekly hours then"
    return "free then"


def clash(first: SessionSpec, second: SessionSpec, buffer_minutes: int) -> bool:
    """True when one trainer cannot deliver both (overlap, or too little travel time)."""
    if first.id == second.id:
        return False
    needs_travel = (
        not first.is_online and not second.is_online and first.venue_id != second.venue_id
    )
    gap = timedelta(minutes=buffer_minutes if needs_travel else 0)
    return first.starts_at < second.ends_at + gap and second.starts_at < first.ends_at + gap


def rule_failures(trainer: TrainerSpec, session: SessionSpec) -> list[str]:
    """The static hard rules this trainer breaks for this session (empty when eligible)."""
    failures = []
    if not is_qualified(trainer, session):
        failures.append("not_qualified")
    if not covers_area(trainer, session):
        failures.append("area_not_covered")
    if not may_lead_group(trainer, session):
        failures.append("cannot_lead_women_only")
    if not is_available(trainer, session):
        failures.append("not_available")
    return failures


def is_eligible(trainer: TrainerSpec, session: SessionSpec) -> bool:
    """Every static hard rule at once, cheapest checks first."""
    return (
        is_qualified(trainer, session)
        and covers_area(trainer, session)
        and may_lead_group(trainer, session)
        and is_available(trainer, session)
    )


def eligible_trainers(problem: Problem) -> dict[int, list[TrainerSpec]]:
    return {
        session.id: [t for t in problem.trainers if is_eligible(t, session)]
        for session in problem.sessions
    }


def fixed_by_session(problem: Problem) -> dict[int, list[Assignment]]:
    grouped: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in problem.fixed:
        grouped[assignment.session_id].append(assignment)
    return grouped


def unstaffed_reason(problem: Problem, session: SessionSpec) -> str:
    """A plain sentence saying why nobody could be given this session."""
    day = day_label(session.starts_at)
    where = "online" if session.is_online else f"in {session.area_name}"
    qualified = [t for t in problem.trainers if is_qualified(t, session)]
    if not qualified:
        return f"no trainer is qualified to deliver {session.course_name}"
    covering = [t for t in qualified if covers_area(t, session)]
    if not covering:
        return f"no qualified trainer covers sessions {where}"
    if session.women_only:
        covering = [t for t in covering if t.can_lead_women_only]
        if not covering:
            return f"no qualified trainer who can lead women-only groups covers sessions {where}"
    free = [t for t in covering if is_available(t, session)]
    if not free:
        each = "; ".join(
            f"{t.name or 'a trainer'} is {time_words(t, session)}" for t in covering[:4]
        )
        more = f"; and {len(covering) - 4} more" if len(covering) > 4 else ""
        return f"no qualified trainer free on {day} {where}: {each}{more}"
    if len(free) < session.trainers_needed:
        return (
            f"needs {session.trainers_needed} trainers but only {len(free)} qualified "
            f"trainer is free on {day} {where}"
        )
    return (
        f"every qualified trainer free on {day} {where} is already on another session "
        "or at their weekly maximum"
    )


def choose_leads(
    problem: Problem, new: list[Assignment], trainers: dict[int, TrainerSpec]
) -> list[Assignment]:
    """Mark one lead per session: keep a fixed lead, else the first trainer who may lead."""
    fixed = fixed_by_session(problem)
    by_session: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in new:
        by_session[assignment.session_id].append(assignment)
    result = []
    for session_id, rows in by_session.items():
        has_lead = any(a.is_lead for a in fixed.get(session_id, []))
        ordered = sorted(rows, key=lambda a: a.trainer_id)
        for index, assignment in enumerate(ordered):
            is_lead = not has_lead and index == 0
            result.append(Assignment(session_id, assignment.trainer_id, is_lead))
    return result
