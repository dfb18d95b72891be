"""Turn the load generator's figures into the table, the targets' verdicts and the JSON file."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from booking.models import Booking, CourseSession
from booking.services.bookings.seats import seat_holding_condition

# At 8 concurrent clients, 2 gunicorn workers, 2 cores, PostgreSQL with 20,000 sessions and
# 200,000 bookings: each page's share of the floor measured in the same run, and its p95.
PAGE_TARGETS = {
    "catalogue": 0.25,
    "catalogue_area": 0.25,
    "session_page": 0.40,
    "home": 0.60,
}
PAGE_P95_MS = 30.0
# While a trainer allocation run is being solved, the catalogue's p95 stays within this many
# times its quiet p95 (or under PAGE_P95_MS, where a small quiet figure makes a ratio harsh).
ALLOCATION_P95_FACTOR = 1.5
# Staff pages cost, per request (app and database CPU), at most this many times their cost on
# the tiny dataset, and run no more SQL statements than there.
STAFF_CPU_FACTOR = 1.5
STAFF_TARGETS = {"dashboard": "staff dashboard /admin/", "staff_search": "staff search"}
BOOKINGS_PER_SECOND = 100.0
STATEMENTS_PER_BOOKING = 8

ROWS = [
    ("floor", "floor: bare Flask, SELECT 1"),
    ("home", "home /"),
    ("catalogue", "catalogue /sessions"),
    ("catalogue_area", "catalogue /sessions?area="),
    ("session_page", "session page /sessions/<id>"),
    ("catalogue_allocating", "catalogue during allocation"),
    ("book_form", "book form GET (CSRF token)"),
    ("book_post", "book POST"),
    ("dashboard", "staff dashboard /admin/"),
    ("dashboard_tiny", "  the same, tiny dataset"),
    ("staff_search", "staff search (people, references)"),
    ("staff_search_tiny", "  the same, tiny dataset"),
]


def oversold_sessions(engine: Engine) -> list[dict]:
    """Sessions with more seat-holding bookings than places: must be none."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        taken = (
            select(Booking.session_id, func.count(Booking.id).label("taken"))
            .where(seat_holding_condition(now))
            .group_by(Booking.session_id)
            .subquery()
        )
        rows = session.execute(
            select(CourseSession.id, CourseSession.capacity, taken.c.taken)
            .join(taken, taken.c.session_id == CourseSession.id)
            .where(taken.c.taken > CourseSession.capacity)
        ).all()
    return [{"session_id": sid, "capacity": cap, "taken": n} for sid, cap, n in rows]


def build(measured: dict, oversold: list[dict], data, settings: dict, database: str) -> dict:
    rows = {name: measured[name] for name in ("floor", *PAGE_TARGETS, "catalogue_allocating")}
    rows.update({name: measured[name] for name, _ in ROWS if name in measured})
    rows["book_form"] = measured["book"]["form"]
    rows["book_post"] = measured["book"]["post"]
    floor_rps = rows["floor"]["requests_per_second"] or 0.0
    for row in rows.values():
        rps = row["requests_per_second"]
        row["percent_of_floor"] = 100 * rps / floor_rps if floor_rps else None

    post = rows["book_post"]
    booked = post["outcomes"].get("booked", 0)
    bookings_per_second = booked / post["seconds"] if post["seconds"] else 0.0
    targets = []
    for name, fraction in PAGE_TARGETS.items():
        row = rows[name]
        percent = row["percent_of_floor"] or 0.0
        targets.append(
            {
                "target": f"{name}: >= {fraction:.0%} of floor req/s",
                "figure": f"{percent:.0f}% ({row['requests_per_second']:.0f}/s)",
                "met": percent >= 100 * fraction,
            }
        )
        targets.append(
            {
                "target": f"{name}: p95 < {PAGE_P95_MS:.0f} ms",
                "figure": f"{row['p95_ms'] or 0:.1f} ms",
                "met": row["p95_ms"] is not None and row["p95_ms"] < PAGE_P95_MS,
            }
        )
    targets.append(allocation_target(rows["catalogue"], rows["catalogue_allocating"]))
    targets.extend(staff_targets(rows))
    targets.append(
        {
            "target": f"bookings: >= {BOOKINGS_PER_SECOND:.0f} confirmed/s",
            "figure": f"{bookings_per_second:.0f}/s",
            "met": bookings_per_second >= BOOKINGS_PER_SECOND,
        }
    )
    statements = post.get("queries_per_booking_max")
    targets.append(
        {
            "target": f"bookings: <= {STATEMENTS_PER_BOOKING} SQL statements each",
            "figure": "-"
            if statements is None
            else f"{statements} at most ({post['queries_per_booking']:.1f} mean)",
            "met": statements is not None and statements <= STATEMENTS_PER_BOOKING,
        }
    )
    errors = sum(row["server_errors"] for row in rows.values())
    targets.append(
        {
            "target": "no oversell, no 5xx",
            "figure": f"{len(oversold)} oversold sessions, {errors} server errors",
            "met": not oversold and errors == 0,
        }
    )
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "settings": settings,
        "dataset": data.counts,
        "dataset_seconds": round(data.seconds, 1),
        "rows": rows,
        "bookings": {
            "booked": booked,
            "refused_full": post["outcomes"].get("refused", 0),
            "errors": post["outcomes"].get("error", 0),
            "bookings_per_second": bookings_per_second,
            "attempts_per_second": post["requests_per_second"],
            "logins": measured["book"]["logins"],
            "login_seconds": measured["book"]["login_seconds"],
        },
        "oversold_sessions": oversold,
        "targets": targets,
    }


def staff_targets(rows: dict) -> list[dict]:
    """For each staff page measured on both datasets: CPU per request within
    STAFF_CPU_FACTOR of the tiny dataset's, and no more SQL statements per request. A page
    not measured on both is not met."""
    targets = []
    for name, label in STAFF_TARGETS.items():
        big, tiny = rows.get(name), rows.get(f"{name}_tiny")
        cpu_big = big.get("cpu_ms_per_request") if big else None
        cpu_tiny = tiny.get("cpu_ms_per_request") if tiny else None
        ratio = cpu_big / cpu_tiny if cpu_big is not None and cpu_tiny else None
        targets.append(
            {
                "target": f"{label}: CPU/request <= {STAFF_CPU_FACTOR}x tiny data's",
                "figure": "not measured on both"
                if ratio is None
                else f"{cpu_big:.1f} ms vs {cpu_tiny:.1f} ms ({ratio:.2f}x)",
                "met": ratio is not None and ratio <= STAFF_CPU_FACTOR,
            }
        )
        sql_big = big.get("queries_per_request") if big else None
        sql_tiny = tiny.get("queries_per_request") if tiny else None
        targets.append(
            {
                "target": f"{label}: SQL/request no more than on tiny data",
                "figure": f"{number(sql_big, '.1f')} vs {number(sql_tiny, '.1f')}",
                "met": sql_big is not None and sql_tiny is not None and sql_big <= sql_tiny,
            }
        )
    return targets


def allocation_target(quiet: dict, during: dict) -> dict:
    """The catalogue's p95 while an allocation run is solved, against its quiet p95. Not met
    when the run was not in progress for the whole measurement: then it shows nothing."""
    p95, quiet_p95 = during["p95_ms"], quiet["p95_ms"]
    run = during["allocation"]
    within = p95 <= ALLOCATION_P95_FACTOR * quiet_p95 or p95 < PAGE_P95_MS
    return {
        "target": (
            f"catalogue during allocation: p95 <= {ALLOCATION_P95_FACTOR}x quiet "
            f"or < {PAGE_P95_MS:.0f} ms"
        ),
        "figure": (
            f"{p95:.1f} ms vs {quiet_p95:.1f} ms quiet ({p95 / quiet_p95:.2f}x)"
            if quiet_p95
            else f"{p95:.1f} ms"
        )
        + ("" if run["during_run"] else f"; run {run['status_after_measurement']} too soon"),
        "met": run["during_run"] and within,
    }


def allocation_summary(during: dict) -> str:
    run = during["allocation"]
    return (
        f"Allocation run {run['run_id']} ({run['days']} days, {run['sessions_considered']} "
        f"sessions) was {run['status_after_measurement']} when the catalogue's measurement ended "
        f"({run['measured_seconds']:.0f}s); it ended {run['final_status']} after "
        f"{run['solve_seconds']:.1f}s of solving."
    )


def number(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


_number = number


def _header(results: dict) -> str:
    settings = results["settings"]
    return (
        f"{results['database']}, {results['dataset'].get('sessions', 0):,} sessions, "
        f"{results['dataset'].get('bookings', 0):,} bookings; {settings['clients']} clients, "
        f"gunicorn {settings['workers']} {settings['worker_class']} workers; page cache "
        f"{_cache_place(settings)}; GET targets by wrk, "
        f"{settings['warmup']:.0f}s warm-up + {settings['duration']:.0f}s each; "
        f"booking by the Python driver"
    )


def _cache_place(settings: dict) -> str:
    url = settings.get("page_cache_url") or ""
    return "in Redis" if url else "in each worker's memory"


def _cells(row: dict) -> list[str]:
    return [
        f"{row['requests_per_second']:.1f}",
        _number(row["p50_ms"], ".1f"),
        _number(row["p95_ms"], ".1f"),
        _number(row["queries_per_request"], ".1f"),
        _number(row.get("cpu_ms_per_request"), ".1f"),
        _number(row["percent_of_floor"], ".0f") + "%",
        str(row["requests"]),
    ]


COLUMNS = ["req/s", "p50 ms", "p95 ms", "SQL/req", "CPU ms", "% floor", "reqs"]


def table(results: dict) -> str:
    """The figures and verdicts as plain text, for the terminal."""
    lines = [
        "",
        f"Waypoint benchmark — {_header(results)}",
        "",
        f"{'target':<30} " + " ".join(f"{name:>8}" for name in COLUMNS),
        "-" * 84,
    ]
    for name, label in ROWS:
        if name in results["rows"]:
            row = results["rows"][name]
            lines.append(f"{label:<30} " + " ".join(f"{c:>8}" for c in _cells(row)))
    lines += ["", *_summary(results), "", "Targets:"]
    for target in results["targets"]:
        verdict = "MET" if target["met"] else "NOT MET"
        lines.append(f"  {verdict:<8} {target['target']:<42} {target['figure']}")
    return "\n".join(lines)


def markdown(results: dict) -> str:
    """The same figures as a Markdown page, saved beside the JSON."""
    lines = [
        f"# Waypoint benchmark, {results['when']}",
        "",
        _header(results) + ".",
        "",
        "| target | " + " | ".join(COLUMNS) + " |",
        "| --- | " + " | ".join("---:" for _ in COLUMNS) + " |",
    ]
    for name, label in ROWS:
        if name in results["rows"]:
            lines.append(f"| {label} | " + " | ".join(_cells(results["rows"][name])) + " |")
    lines += ["", *_summary(results), "", "| verdict | target | figure |", "| --- | --- | --- |"]
    for target in results["targets"]:
        verdict = "MET" if target["met"] else "**NOT MET**"
        lines.append(f"| {verdict} | {target['target']} | {target['figure']} |")
    return "\n".join(lines) + "\n"


def partial_table(measured: dict) -> str:
    """Figures for a quick run of some targets, with no verdicts (those need the whole run)."""
    lines = [
        f"{'target':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'SQL/req':>8} {'CPU ms':>8}"
    ]
    rows = dict(measured)
    notes = []
    if "catalogue_allocating" in rows:
        notes.append(allocation_summary(rows["catalogue_allocating"]))
        if "catalogue" in rows:
            target = allocation_target(rows["catalogue"], rows["catalogue_allocating"])
            verdict = "MET" if target["met"] else "NOT MET"
            notes.append(f"{verdict}: {target['target']}: {target['figure']}")
    if "book" in rows:
        book = rows.pop("book")
        rows["book_form"], rows["book_post"] = book["form"], book["post"]
    for name, row in rows.items():
        lines.append(
            f"{name:<20} {row['requests_per_second']:>8.1f} {_number(row['p50_ms'], '.1f'):>8} "
            f"{_number(row['p95_ms'], '.1f'):>8} {_number(row['queries_per_request'], '.1f'):>8} "
            f"{_number(row.get('cpu_ms_per_request'), '.1f'):>8}"
        )
    if any(name in rows for name in STAFF_TARGETS):
        for target in staff_targets(rows):
            verdict = "MET" if target["met"] else "NOT MET"
            notes.append(f"{verdict}: {target['target']}: {target['figure']}")
    return "\n".join(lines + notes)


def _summary(results: dict) -> list[str]:
    bookings = results["bookings"]
    floor_runs = results["rows"]["floor"].get("runs_requests_per_second") or []
    floor_note = (
        [
            "Floor measured before and after the pages: "
            + " and ".join(f"{rps:.0f}/s" for rps in floor_runs)
            + "; ratios use the faster."
        ]
        if len(floor_runs) > 1
        else []
    )
    during = results["rows"].get("catalogue_allocating")
    return floor_note + [
        *([allocation_summary(during)] if during else []),
        f"Bookings: {bookings['booked']} places booked ({bookings['bookings_per_second']:.1f}/s), "
        f"{bookings['refused_full']} refused as full, {bookings['errors']} errors; "
        f"{bookings['logins']} sign-ins took {bookings['login_seconds']:.1f}s beforehand.",
        f"Oversell check: {len(results['oversold_sessions'])} sessions have more seat-holding "
        "bookings than places" + (" — OK" if not results["oversold_sessions"] else " — FAILED"),
    ]
