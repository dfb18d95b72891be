"""Flask command: apply-retention."""

import click
from flask import Flask

from booking.jobs import retention
from booking.models import utcnow


def init_app(app: Flask) -> None:
    @app.cli.command("apply-retention")
    @click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
    def apply_retention_command(dry_run: bool):
        """Anonymise personal data past its retention period (safe to run twice)."""
        result = retention.run(utcnow(), dry_run=dry_run, trigger="command")
        done = "Would anonymise" if dry_run else "Anonymised"
        click.echo(f"{done} {result.total} record(s).")
        if result.total:
            click.echo(result.summary())
