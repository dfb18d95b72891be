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
