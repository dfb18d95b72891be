"""A burst from one force: N referrals created through the API at once (default 500), then the
same creates sent again with the same Idempotency-Keys (a client retrying after lost answers).
Reports how many referrals were stored (must be N: none twice), and the p50/p95 of the create
calls, in-process through the WSGI app (app + database time; no network, no gunicorn).

    python -m bench.burst            # 500 referrals, on a fresh SQLite file (or
                                     # BENCH_DATABASE_URL's server, database waypoint_burst)
    BURST_SIZE=50 python -m bench.burst

Run it at full size once per change worth measuring: the machine is shared.
"""

import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench import dataset

BURST_DATABASE = "waypoint_burst"


@dataclass
class BurstResult:
    size: int
    stored: int
    replayed_same_ids: bool
    p50_ms: float
    p95_ms: float
    statuses: dict[int, int]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(database_url: str, size: int) -> BurstResult:
    """Create ``size`` referrals through the API for one force, then retry them all."""
    from booking import create_app
    from booking.extensions import db
    from booking.models import CourseType, PoliceForce, Referral, utcnow
    from booking.services.referrals import tokens
    from config import TestConfig

    # The rate limit is off (as in tests): the burst measures the app, not the limiter.
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        force = PoliceForce(slug="burst-force", name="Burst Force", is_partner=True)
        course = CourseType(slug="burst-course", name="Burst course", summary="")
        db.session.add_all([force, course])
        db.session.flush()
        _, token = tokens.create_token(force, "Burst", by=None, now=utcnow())
        db.session.commit()
        force_id = force.id
        referred = (utcnow() - timedelta(days=1)).date().isoformat()

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    timings: list[float] = []
    statuses: dict[int, int] = {}
    first_ids: dict[int, int] = {}
    for attempt in range(2):  # the burst, then every create retried with its key
        for number in range(size):
            body = {
                "police_reference": f"BURST/{number:05d}",
                "first_name": "Sam",
                "last_name": f"Person{number}",
                "date_of_birth": "1990-04-01",
                "course_type": "burst-course",
                "referral_date": referred,
            }
            started = time.perf_counter()
            response = client.post(
                "/api/v1/referrals",
                json=body,
                headers={**headers, "Idempotency-Key": f"burst-{number}"},
            )
            timings.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 201:
                referral_id = response.get_json()["id"]
                if attempt == 0:
                    first_ids[number] = referral_id
                elif first_ids.get(number) != referral_id:
                    first_ids[number] = -1
    with app.app_context():
        stored = db.session.scalar(
            select(func.count(Referral.id)).where(Referral.force_id == force_id)
        )
        # The session gives its connection back first: disposing before that would leave the
        # connection open in the new pool, for the garbage collector to find.
        db.session.remove()
        db.engine.dispose()
    return BurstResult(
        size=size,
        stored=stored or 0,
        replayed_same_ids=len(first_ids) == size and -1 not in first_ids.values(),
        p50_ms=statistics.median(timings),
        p95_ms=percentile(timings, 0.95),
        statuses=statuses,
    )


def main() -> int:
    size = int(os.environ.get("BURST_SIZE", "500"))
    base = os.environ.get("BENCH_DATABASE_URL", "")
    if base and dataset.postgres_reachable(base):
        url = dataset.recreate_postgres_database(base, BURST_DATABASE)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'burst.db'}"
    dataset.migrate(url)
    result = run(url, size)
    print(
        f"burst: {result.size} creates then {result.size} retries; stored {result.stored} "
        f"(none twice: {result.stored == result.size and result.replayed_same_ids}); "
        f"create p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms; "
        f"answers {result.statuses}"
    )
    return 0 if result.stored == result.size and result.replayed_same_ids else 1


if __name__ == "__main__":
    sys.exit(main())
