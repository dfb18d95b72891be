"""``flask --app wsgi worker``: start the worker (booking/jobs/worker.py) in this process."""

import os

import click
from flask import Flask

from booking.jobs import worker


def init_app(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option(
        "--threads",
        type=int,
        default=lambda: int(os.environ.get("WORKER_THREADS") or 4),
        show_default="WORKER_THREADS or 4",
        help="Tasks run at once in this worker.",
    )
    def worker_command(threads: int) -> None:
        """Run the worker: scheduled jobs and queued work, until Ctrl-C or SIGTERM."""
        where = "Redis" if app.config["REDIS_URL"] else "a SQLite file in instance/"
        click.echo(f"Worker started ({threads} thread(s), queue in {where}).")
        worker.run_consumer(app, threads=threads)
