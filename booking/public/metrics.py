"""Metrics in the Prometheus text format at /metrics: requests and server errors counted by
this process, and the worker's state (heartbeat, queue depth, how late the oldest message and
refund are) read from the database at each scrape, so every instance reports the same lags.

Request counts are per process (each gunicorn worker counts its own; Prometheus sums the
instances it scrapes). The proxy should let only the monitoring network reach /metrics.
"""

from collections.abc import Iterator

from flask import Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from booking.jobs import health, worker
from booking.models import utcnow
from booking.public.blueprint import bp

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "waypoint_requests",
    "Requests answered, by method and status class.",
    ["method", "status"],
    registry=REGISTRY,
)


class WorkerCollector(Collector):
    """The worker's state, read when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = health.check(now=utcnow(), queue_depth=worker.queue_depth())
        up = GaugeMetricFamily("waypoint_worker_healthy", "1 when every worker check passes.")
        up.add_metric([], 1.0 if state is not None and state.ok else 0.0)
        yield up
        if state is None:
            return
        values = {
            "waypoint_worker_heartbeat_age_seconds": state.heartbeat_age_seconds,
            "waypoint_queue_depth": state.queue_depth,
            "waypoint_oldest_unsent_message_seconds": state.oldest_unsent_message_seconds,
            "waypoint_oldest_waiting_refund_seconds": state.oldest_waiting_refund_seconds,
        }
        for name, value in values.items():
            if value is not None:
                yield GaugeMetricFamily(name, name.replace("_", " "), value=float(value))


REGISTRY.register(WorkerCollector())


@bp.after_app_request
def count_request(response: Response) -> Response:
    REQUESTS.labels(request.method, f"{response.status_code // 100}xx").inc()
    return response


@bp.get("/metrics")
def metrics():
    """Prometheus metrics (plain text)."""
    return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)
