"""Each hard allocation rule, on plain data (no database): breaking the rule fails a test."""

from datetime import UTC, datetime, time, timedelta

from booking.services.trainers.allocation.core import (
    LONDON,
    Assignment,
    Problem,
    SessionSpec,
    TrainerSpec,
    WeeklySlot,
)
from booking.services.trainers.allocation.greedy import solve_greedy
from booking.services.trainers.allocation.solver import solve

TUESDAY = datetime(2026, 3, 3, 10, 0, tzinfo=LONDON)  # Tue 3 Mar 2026
DORSET, KENT = 1, 2
COURSE = 10
EVERY_DAY = tuple(WeeklySlot(day, time(8), time(22)) for day in range(7))


def session(number: int, starts: datetime = TUESDAY, **fields) -> SessionSpec:
    values = dict(
        id=number,
        course_type_id=COURSE,
        starts_at=starts.astimezone(UTC),
        ends_at=(starts + timedelta(hours=2)).astimezone(UTC),
        force_id=DORSET,
        venue_id=100,
        area_name="Dorset",
        course_name="Drug awareness",
    )
    values.update(fields)
    return SessionSpec(**values)


def trainer(number: int, **fields) -> TrainerSpec:
    values = dict(
        id=number,
        course_type_ids=frozenset({COURSE}),
        force_ids=frozenset({DORSET}),
        covers_online=True,
        can_lead_women_only=True,
        max_sessions_per_week=5,
        weekly=EVERY_DAY,
    )
    values.update(fields)
    return TrainerSpec(**values)


def run(sessions, trainers, fixed=(), buffer=60):
    problem = Problem(list(sessions), list(trainers), list(fixed), travel_buffer_minutes=buffer)
    return solve(problem, time_limit_seconds=5, workers=1)


def pairs(result):
    return {(a.session_id, a.trainer_id) for a in result.assignments}


def test_a_qualified_trainer_is_given_the_session():
    result = run([session(1)], [trainer(1)])
    assert pairs(result) == {(1, 1)}
    assert result.unstaffed == {}


def test_unqualified_trainer_is_never_given_the_session():
    result = run([session(1)], [trainer(1, course_type_ids=frozenset({99}))])
    assert pairs(result) == set()
    assert result.unstaffed[1] == "no trainer is qualified to deliver Drug awareness"


def test_trainer_must_cover_the_area():
    result = run([session(1)], [trainer(1, force_ids=frozenset({KENT}))])
    assert pairs(result) == set()
    assert result.unstaffed[1] == "no qualified trainer covers sessions in Dorset"


def test_online_sessions_only_go_to_trainers_who_cover_online():
    online = session(1, force_id=None, venue_id=None, is_online=True, area_name="online")
    result = run([online], [trainer(1, covers_online=False), trainer(2, covers_online=True)])
    assert pairs(result) == {(1, 2)}


def test_women_only_sessions_only_go_to_trainers_who_can_lead_them():
    result = run(
        [session(1, women_only=True)],
        [trainer(1, can_lead_women_only=False), trainer(2, can_lead_women_only=True)],
    )
    assert pairs(result) == {(1, 2)}
    nobody = run([session(1, women_only=True)], [trainer(1, can_lead_women_only=False)])
    assert "women-only" in nobody.unstaffed[1]


def test_weekly_pattern_must_cover_the_session_and_the_reason_is_plain():
    mondays_only = (WeeklySlot(0, time(8), time(22)),)
    result = run([session(1)], [trainer(1, weekly=mondays_only)])
    assert pairs(result) == set()
    assert result.unstaffed[1] == (
        "no qualified trainer free on Tue 3 Mar in Dorset: "
        "a trainer is outside their weekly hours then"
    )


def test_session_must_fit_inside_the_available_hours():
    mornings = tuple(WeeklySlot(day, time(8), time(11)) for day in range(7))
    assert pairs(run([session(1)], [trainer(1, weekly=mornings)])) == set()


def test_leave_makes_a_trainer_unavailable():
    leave = (
        (TUESDAY - timedelta(days=1)).astimezone(UTC),
        (TUESDAY + timedelta(days=1)).astimezone(UTC),
    )
    result = run([session(1)], [trainer(1, unavailable=(leave,)), trainer(2)])
    assert pairs(result) == {(1, 2)}


def test_overlapping_sessions_never_go_to_one_trainer():
    result = run([session(1), session(2, TUESDAY + timedelta(hours=1), venue_id=100)], [trainer(1)])
    assert len(result.assignments) == 1
    assert len(result.unstaffed) == 1


def test_travel_buffer_between_in_person_sessions_at_different_venues():
    later = TUESDAY + timedelta(hours=2, minutes=30)  # 30 minutes after the first ends
    other_venue = run([session(1), session(2, later, venue_id=200)], [trainer(1)], buffer=60)
    assert len(other_venue.assignments) == 1
    same_venue = run([session(1), session(2, later, venue_id=100)], [trainer(1)], buffer=60)
    assert len(same_venue.assignments) == 2
    online_next = run(
        [session(1), session(2, later, venue_id=None, is_online=True, force_id=None)],
        [trainer(1)],
        buffer=60,
    )
    assert len(online_next.assignments) == 2
    enough_time = run(
        [session(1), session(2, TUESDAY + timedelta(hours=3, minutes=30), venue_id=200)],
        [trainer(1)],
        buffer=60,
    )
    assert len(enough_time.assignments) == 2


def test_weekly_maximum_is_respected():
    week = [session(n, TUESDAY + timedelta(days=n - 1)) for n in range(1, 4)]  # Tue, Wed, Thu
    result = run(week, [trainer(1, max_sessions_per_week=2)])
    assert len(result.assignments) == 2
    assert len(result.unstaffed) == 1


def test_existing_assignments_are_kept_and_count_towards_clashes():
    fixed = [Assignment(1, 1, True)]
    clashing = session(2, TUESDAY + timedelta(minutes=30))
    result = run([session(1), clashing], [trainer(1), trainer(2)], fixed=fixed)
    assert pairs(result) == {(2, 2)}  # session 1 keeps trainer 1; trainer 1 is not double-booked


def test_two_trainer_sessions_get_two_with_exactly_one_lead():
    result = run([session(1, trainers_needed=2)], [trainer(1), trainer(2), trainer(3)])
    assert len(result.assignments) == 2
    assert sum(a.is_lead for a in result.assignments) == 1
    short = run([session(1, trainers_needed=2)], [trainer(1)])
    assert short.assignments == []
    assert "needs 2 trainers" in short.unstaffed[1]


def test_load_is_spread_fairly_where_greedy_piles_it_on_one_trainer():
    days = [session(n, TUESDAY + timedelta(days=7 * n)) for n in range(4)]
    problem = Problem(days, [trainer(1), trainer(2)])
    assert solve_greedy(problem).spread(problem) == 4
    result = solve(problem, time_limit_seconds=5, workers=1)
    assert result.spread(problem) == 0
    assert len(result.unstaffed) == 0


def test_same_trainer_is_kept_across_a_series():
    series_a = [session(n, TUESDAY + timedelta(days=7 * n), series_id=1) for n in range(2)]
    series_b = [
        session(10 + n, TUESDAY + timedelta(days=7 * n, hours=4), series_id=2, venue_id=300)
        for n in range(2)
    ]
    result = run(series_a + series_b, [trainer(1), trainer(2)])
    by_session = {a.session_id: a.trainer_id for a in result.assignments}
    assert by_session[0] == by_session[1]
    assert by_session[10] == by_session[11]
    assert by_session[0] != by_session[10]
