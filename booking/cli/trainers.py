"""Flask command: allocate-trainers."""

from datetime import datetime

import click
from flask import Flask, current_app

from booking.database import unit_of_work
from booking.extensions import db
from booking.jobs import allocation as allocation_job
from booking.models import utcnow
from booking.services.trainers import queries
from booking.services.trainers.allocation import runs as allocation


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD") from error


def init_app(app: Flask) -> None:
    @app.cli.command("allocate-trainers")
    @click.option("--from", "first", required=True, help="First date, YYYY-MM-DD (UK).")
    @click.option("--to", "last", required=True, help="Last date, YYYY-MM-DD (UK).")
    @click.option("--publish", is_flag=True, help="Publish the proposal straight away.")
    @click.option(
        "--time-limit", type=float, help="Solver seconds (default: ALLOCATION_TIME_LIMIT)."
    )
    def allocate_trainers_command(first, last, publish, time_limit):
        """Propose trainers for every scheduled session in a date range (optionally publish)."""
        first_day, last_day = _date(first), _date(last)
        if last_day < first_day:
            raise click.BadParameter("--to must be on or after --from")
        run_id = allocation_job.propose_allocation(
            first_day,
            last_day,
            by_id=None,
            now=utcnow(),
            travel_buffer_minutes=current_app.config["TRAVEL_BUFFER_MINUTES"],
            time_limit_seconds=time_limit or current_app.config["ALLOCATION_TIME_LIMIT"],
            progress=click.echo,
        )
        run = queries.run(run_id)
        if run is None:
            raise click.ClickException(f"Proposal {run_id} was not saved.")
        click.echo(
            f"Proposal {run_id}: {run.sessions_considered} sessions, "
            f"{len(run.proposals)} new assignment(s), {len(run.unstaffed)} unstaffed."
        )
        for row in run.unstaffed:
            click.echo(f"  unstaffed session {row.session_id}: {row.reason}")
        db.session.rollback()
        if publish:
            with unit_of_work():
                run = queries.run(run_id)
                if run is None:
                    raise click.ClickException(f"Proposal {run_id} is no longer there.")
                count = allocation.publish(run, by=None, now=utcnow())
            click.echo(f"Published {count} assignment(s).")
        else:
            click.echo("Review it in the admin pages (Trainers > Allocation), then publish.")
