"""/metrics: requests and server errors, and the worker's heartbeat and lags, in the
Prometheus text format."""

import pytest

from booking.jobs import health
from booking.models import utcnow

pytestmark = pytest.mark.database


def _value(page: str, name: str) -> float:
    line = next(line for line in page.splitlines() if line.startswith(name + " "))
    return float(line.split()[-1])


def test_metrics_count_requests_and_report_the_worker(client, db, queued):
    health.beat("worker-1", now=utcnow())
    before = client.get("/metrics").get_data(as_text=True)
    client.get("/no-such-page")
    page = client.get("/metrics")
    text = page.get_data(as_text=True)

    assert page.status_code == 200 and page.mimetype == "text/plain"
    misses = 'waypoint_requests_total{method="GET",status="4xx"}'
    earlier = _value(before, misses) if misses in before else 0
    assert _value(text, misses) == earlier + 1
    assert _value(text, "waypoint_worker_healthy") == 1
    assert _value(text, "waypoint_queue_depth") == 0
    assert _value(text, "waypoint_worker_heartbeat_age_seconds") < 60
    assert _value(text, "waypoint_oldest_waiting_refund_seconds") == 0
