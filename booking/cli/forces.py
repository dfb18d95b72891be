"""Flask commands for police forces: API tokens, outcome webhooks, deadline reminders."""

import click
from flask import Flask

from booking.database import unit_of_work
from booking.jobs import force_webhooks
from booking.models import utcnow
from booking.services.referrals import queries, reminders, tokens
from booking.web import links


def init_app(app: Flask) -> None:
    @app.cli.command("create-api-token")
    @click.option("--force", "force_slug", required=True, help="The force's slug, e.g. kent.")
    @click.option("--name", required=True, help="What the token is for, e.g. 'Niche RMS'.")
    def create_api_token_command(force_slug: str, name: str):
        """Make an API token for a force. The token is shown once, alone on the last line."""
        with unit_of_work():
            force = queries.force_by_slug(force_slug)
            if force is None:
                raise click.ClickException(f"No force with the slug {force_slug!r}.")
            try:
                row, token = tokens.create_token(force, name, by=None, now=utcnow())
            except ValueError as error:
                raise click.ClickException(str(error)) from error
            force_name = force.name
            token_id = row.id
        click.echo(f"API token {token_id} for {force_name}. It is shown only now: keep it safe.")
        click.echo(token)

    @app.cli.command("send-force-webhooks")
    def send_force_webhooks_command():
        """Deliver queued outcome webhooks to forces (safe to run at any time, and twice)."""
        result = force_webhooks.send_due(utcnow())
        click.echo(
            f"Webhooks delivered: {result.delivered}, will retry: {result.retrying}, "
            f"failed: {result.failed}."
        )

    @app.cli.command("send-deadline-reminders")
    def send_deadline_reminders_command():
        """Remind people with unbooked referrals 14, 7 and 3 days before the deadline."""
        with unit_of_work():
            count = reminders.send_deadline_reminders(
                now=utcnow(), choose_url=f"{links.base_url()}/referral/start"
            )
        click.echo(f"Queued {count} deadline reminder(s).")
