"""Flask commands: seed-demo, expire-holds, send-refunds; and the other modules' commands."""

import click
from flask import Flask, current_app

from booking.cli import forces as cli_forces
from booking.cli import privacy as cli_privacy
from booking.cli import referrals as cli_referrals
from booking.cli import trainers as cli_trainers
from booking.cli import worker as cli_worker
from booking.database import unit_of_work
from booking.demo.force_contacts import DEMO_FORCE_CONTACT
from booking.demo.referrals import DEMO_LOOKUP
from booking.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
from booking.jobs import scheduled
from booking.models import utcnow
from booking.services.bookings.cancellation import expire_holds
from booking.web.policies import current_ending_policy


def init_app(app: Flask) -> None:
    cli_privacy.init_app(app)
    cli_referrals.init_app(app)
    cli_forces.init_app(app)
    cli_trainers.init_app(app)
    cli_worker.init_app(app)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load demo data (idempotent) and print the demo logins."""
        if current_app.config.get("SEND_HSTS"):
            raise click.ClickException("Demo data is not for production.")
        with unit_of_work():
            added = seed_demo(now=utcnow())
        summary = ", ".join(f"{count} {name}" for name, count in added.items() if count)
        click.echo(
            f"Demo data: {'added ' + summary if summary else 'already loaded, nothing added'}."
        )
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role, first_name, _ in DEMO_USERS:
            click.echo(f"  {role.value:<12} {email:<28} ({first_name})")
        email, force_slug, first_name, _ = DEMO_FORCE_CONTACT
        click.echo(f"  force contact {email} ({first_name}, {force_slug} force: /force/)")
        reference, surname, born = DEMO_LOOKUP
        click.echo(
            f"Book with a reference at /referral/start: {reference}, surname {surname}, "
            f"date of birth {born}"
        )

    @app.cli.command("expire-holds")
    def expire_holds_command():
        """Release seats whose hold has run out."""
        with unit_of_work():
            count = expire_holds(
                now=utcnow(),
                policy=current_ending_policy(),
            )
        click.echo(f"Released {count} expired hold(s).")

    @app.cli.command("send-refunds")
    def send_refunds_command():
        """Send requested refunds to Stripe (after a failure, a crash, or Stripe being down)."""
        result = scheduled.send_leftover_refunds(utcnow())
        click.echo(
            f"Refunds sent: {result['sent']}, failed: {result['failed']}, "
            f"waiting for card refunds to be switched on: {result['waiting']}."
        )
