"""`make bench` verdicts: each target compared with the floor measured in the same run."""

from types import SimpleNamespace

from bench import report


def _row(rps: float, p95: float, **extra) -> dict:
    return {
        "requests_per_second": rps,
        "requests": int(rps * 10),
        "seconds": 10.0,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "queries_per_request": 1.0,
        "server_errors": 0,
        **extra,
    }


def _during_allocation(p95: float, *, status_after: str = "running") -> dict:
    run = {
        "run_id": 1,
        "days": 42,
        "status_after_measurement": status_after,
        "during_run": status_after == "running",
        "measured_seconds": 12.0,
        "final_status": "proposed",
        "solve_seconds": 27.0,
        "sessions_considered": 2300,
    }
    return _row(280, p95, allocation=run)


def _measured(*, session_rps: float, statements: int, booked: int) -> dict:
    post = _row(
        booked / 10 + 5,
        40.0,
        outcomes={"booked": booked, "refused": 50},
        queries_per_booking=float(statements),
        queries_per_booking_max=statements,
    )
    return {
        "floor": _row(1000, 8),
        "home": _row(700, 12),
        "catalogue": _row(300, 20),
        "catalogue_area": _row(240, 31),
        "session_page": _row(session_rps, 25),
        "catalogue_allocating": _during_allocation(24),
        "book": {"form": _row(50, 40), "post": post, "logins": 40, "login_seconds": 2.0},
    }


def _verdicts(results: dict) -> dict[str, bool]:
    return {target["target"]: target["met"] for target in results["targets"]}


def test_each_page_is_judged_against_its_own_share_of_the_floor_and_p95():
    data = SimpleNamespace(counts={"sessions": 20_000, "bookings": 200_000}, seconds=1.0)
    settings = {"clients": 8, "workers": 2, "worker_class": "sync", "warmup": 2, "duration": 10}
    results = report.build(
        _measured(session_rps=390, statements=8, booked=1200), [], data, settings, "PostgreSQL"
    )
    verdicts = _verdicts(results)

    assert verdicts["home: >= 60% of floor req/s"] is True  # 70 %
    assert verdicts["catalogue: >= 25% of floor req/s"] is True  # 30 %
    assert verdicts["catalogue_area: >= 25% of floor req/s"] is False  # 24 %
    assert verdicts["catalogue_area: p95 < 30 ms"] is False  # 31 ms
    assert verdicts["session_page: >= 40% of floor req/s"] is False  # 39 %
    assert verdicts["bookings: >= 100 confirmed/s"] is True  # 120/s
    assert verdicts["bookings: <= 8 SQL statements each"] is True
    assert verdicts["no oversell, no 5xx"] is True

    text = report.table(results)
    assert "NOT MET  session_page: >= 40% of floor req/s" in text
    assert "| **NOT MET** | catalogue_area: p95 < 30 ms | 31.0 ms |" in report.markdown(results)


def test_too_many_statements_slow_bookings_and_oversell_are_not_met():
    data = SimpleNamespace(counts={}, seconds=1.0)
    settings = {"clients": 8, "workers": 2, "worker_class": "sync", "warmup": 2, "duration": 10}
    oversold = [{"session_id": 7, "capacity": 10, "taken": 11}]
    results = report.build(
        _measured(session_rps=500, statements=9, booked=900), oversold, data, settings, "PostgreSQL"
    )
    verdicts = _verdicts(results)

    assert verdicts["session_page: >= 40% of floor req/s"] is True
    assert verdicts["bookings: >= 100 confirmed/s"] is False  # 90/s
    assert verdicts["bookings: <= 8 SQL statements each"] is False
    assert verdicts["no oversell, no 5xx"] is False
    assert "FAILED" in report.table(results)


def _judged_during_allocation(quiet_p95: float, during: dict) -> tuple[bool, str]:
    target = report.allocation_target(_row(300, quiet_p95), during)
    return target["met"], target["figure"]


def test_the_catalogue_during_an_allocation_run_is_judged_against_its_quiet_p95():
    assert _judged_during_allocation(20, _during_allocation(29.9))[0] is True  # under 30 ms
    assert _judged_during_allocation(30, _during_allocation(45))[0] is True  # 1.5 times
    met, figure = _judged_during_allocation(30, _during_allocation(46))
    assert met is False
    assert figure == "46.0 ms vs 30.0 ms quiet (1.53x)"


def test_a_run_that_ended_before_the_measurement_did_shows_nothing_and_is_not_met():
    met, figure = _judged_during_allocation(20, _during_allocation(21, status_after="proposed"))
    assert met is False
    assert figure.endswith("run proposed too soon")


def test_the_report_shows_the_catalogue_during_allocation_beside_the_quiet_one():
    data = SimpleNamespace(counts={"sessions": 20_000, "bookings": 200_000}, seconds=1.0)
    settings = {"clients": 8, "workers": 2, "worker_class": "sync", "warmup": 2, "duration": 10}
    results = report.build(
        _measured(session_rps=390, statements=8, booked=1200), [], data, settings, "PostgreSQL"
    )
    text = report.table(results)
    assert "catalogue during allocation" in text
    assert "Allocation run 1 (42 days, 2300 sessions) was running" in text
    markdown = report.markdown(results)
    assert (
        "| MET | catalogue during allocation: p95 <= 1.5x quiet or < 30 ms | "
        "24.0 ms vs 20.0 ms quiet (1.20x) |"
    ) in markdown


def _staff(cpu_big: float, cpu_tiny: float, *, sql_big: float = 12.0) -> dict:
    return {
        "dashboard": _row(60, 40, cpu_ms_per_request=cpu_big, queries_per_request=sql_big),
        "dashboard_tiny": _row(90, 20, cpu_ms_per_request=cpu_tiny, queries_per_request=12.0),
        "staff_search": _row(80, 30, cpu_ms_per_request=9.0, queries_per_request=6.0),
        "staff_search_tiny": _row(90, 20, cpu_ms_per_request=8.0, queries_per_request=6.0),
    }


def test_staff_pages_are_judged_by_cpu_per_request_against_the_tiny_data():
    verdicts = {t["target"]: t for t in report.staff_targets(_staff(14.9, 10.0))}
    cpu = verdicts["staff dashboard /admin/: CPU/request <= 1.5x tiny data's"]
    assert cpu["met"] and cpu["figure"] == "14.9 ms vs 10.0 ms (1.49x)"
    slower = {t["target"]: t["met"] for t in report.staff_targets(_staff(15.1, 10.0))}
    assert slower["staff dashboard /admin/: CPU/request <= 1.5x tiny data's"] is False
    assert slower["staff search: CPU/request <= 1.5x tiny data's"] is True
    more_sql = {t["target"]: t["met"] for t in report.staff_targets(_staff(10, 10, sql_big=13))}
    assert more_sql["staff dashboard /admin/: SQL/request no more than on tiny data"] is False


def test_a_staff_page_not_measured_on_both_datasets_is_not_met():
    rows = _staff(10.0, 10.0)
    del rows["staff_search_tiny"]
    verdicts = {t["target"]: t["met"] for t in report.staff_targets(rows)}
    assert verdicts["staff search: CPU/request <= 1.5x tiny data's"] is False
    assert verdicts["staff dashboard /admin/: CPU/request <= 1.5x tiny data's"] is True


def test_the_table_prints_cpu_per_request_beside_requests_per_second():
    data = SimpleNamespace(counts={"sessions": 20_000, "bookings": 200_000}, seconds=1.0)
    settings = {"clients": 8, "workers": 2, "worker_class": "sync", "warmup": 2, "duration": 10}
    measured = {**_measured(session_rps=390, statements=8, booked=1200), **_staff(14.0, 10.0)}
    results = report.build(measured, [], data, settings, "PostgreSQL")
    text = report.table(results)
    assert "CPU ms" in text
    line = next(line for line in text.splitlines() if line.startswith("staff dashboard"))
    assert "14.0" in line
    assert "MET      staff dashboard /admin/: CPU/request <= 1.5x tiny data's" in text


def test_cpu_seconds_reads_this_process():
    import os

    from bench import cpu

    before = cpu.cpu_seconds([os.getpid()])
    sum(n * n for n in range(2_000_000))
    assert cpu.cpu_seconds([os.getpid()]) > before
