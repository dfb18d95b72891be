"""Turn the load generator's figures into the table, the targets' verdicts and the JSON file."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from booking.models import Booking, CourseSession
from booking.services.bookings.seats import seat_holding_condition

# From issue 2: at 8 concurrent clients on a 2-core machine with PostgreSQL.
PAGE_FRACTION_OF_FLOOR = 0.25
PAGE_P95_MS = 50.0
BOOKINGS_PER_SECOND = 100.0

ROWS = [
    ("floor", "floor: bare Flask, SELECT 1"),
    ("catalogue", "catalogue /sessions"),
    ("catalogue_area", "catalogue /sessions?area="),
    ("session_page", "session page /sessions/<id>"),
    ("book_form", "book form GET (CSRF token)"),
    ("book_post", "book POST"),
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
    rows = {name: measured[name] for name in ("floor", "catalogue", "catalogue_area")}
    rows["session_page"] = measured["session_page"]
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
    for name in ("catalogue", "catalogue_area", "session_page"):
        row = rows[name]
        fraction_ok = (row["percent_of_floor"] or 0) >= 100 * PAGE_FRACTION_OF_FLOOR
        p95_ok = row["p95_ms"] is not None and row["p95_ms"] < PAGE_P95_MS
        targets.append(
            {
                "target": f"{name}: >= 25% of floor req/s",
                "figure": f"{row['percent_of_floor'] or 0:.0f}%",
                "met": fraction_ok,
            }
        )
        targets.append(
            {
                "target": f"{name}: p95 < 50 ms",
                "figure": f"{row['p95_ms'] or 0:.1f} ms",
                "met": p95_ok,
            }
        )
    targets.append(
        {
            "target": "bookings: >= 100 bookings/s",
            "figure": f"{bookings_per_second:.0f}/s",
            "met": bookings_per_second >= BOOKINGS_PER_SECOND,
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


def _number(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def table(results: dict) -> str:
    lines = [
        "",
        f"Waypoint benchmark — {results['database']}, {results['settings']['clients']} clients, "
        f"{results['settings']['workers']} gunicorn {results['settings']['worker_class']} workers",
        "",
        f"{'target':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'SQL/req':>8} "
        f"{'% floor':>8} {'reqs':>7}",
        "-" * 83,
    ]
    for name, label in ROWS:
        row = results["rows"][name]
        lines.append(
            f"{label:<30} {row['requests_per_second']:>8.1f} {_number(row['p50_ms'], '.1f'):>8} "
            f"{_number(row['p95_ms'], '.1f'):>8} {_number(row['queries_per_request'], '.1f'):>8} "
            f"{_number(row['percent_of_floor'], '.0f'):>7}% {row['requests']:>7}"
        )
    bookings = results["bookings"]
    lines += [
        "",
        f"Bookings: {bookings['booked']} places booked ({bookings['bookings_per_second']:.1f}/s), "
        f"{bookings['refused_full']} refused as full, {bookings['errors']} errors; "
        f"{bookings['logins']} sign-ins took {bookings['login_seconds']:.1f}s beforehand.",
        f"Oversell check: {len(results['oversold_sessions'])} sessions have more seat-holding "
        "bookings than places" + (" — OK" if not results["oversold_sessions"] else " — FAILED"),
        "",
        "Targets (issue 2):",
    ]
    for target in results["targets"]:
        verdict = "MET" if target["met"] else "NOT MET"
        lines.append(f"  {verdict:<8} {target['target']:<40} {target['figure']}")
    return "\n".join(lines)
