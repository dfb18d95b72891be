"""Opt-in SQL statement counting per request, for the benchmark (``BENCH_COUNT_QUERIES=1``).

When switched on, every response carries an ``X-Query-Count`` header: how many SQL statements
the request ran. When off (the default) nothing is registered, so the hot path pays nothing.
"""

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "X-Query-Count"


def install(app: Flask, engine: Engine) -> None:
    """Count statements run on ``engine`` during each request of ``app``."""

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args) -> None:
        if has_app_context():
            g.query_count = g.get("query_count", 0) + 1

    @app.after_request
    def _add_header(response):
        response.headers[HEADER] = str(g.get("query_count", 0))
        return response
