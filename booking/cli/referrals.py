"""Flask commands: notifications (email, texts, letters), reminders, waiting-list offers,
overdue referrals."""

import click
from flask import Flask, current_app

from booking.database import unit_of_work
from booking.jobs import scheduled
from booking.jobs.notifications import send_now
from booking.models import utcnow
from booking.services.bookings import waitlist
from booking.web.policies import current_ending_policy


def init_app(app: Flask) -> None:
    @app.cli.command("send-notifications")
    def send_notifications_command():
        """Deliver queued messages (safe to run at any time, and twice)."""
        counts = send_now(current_app.config)
        click.echo(
            f"Sent {counts['sent']}, will retry {counts['retrying']}, "
            f"moved to another safe way {counts['moved_on']}."
        )

    @app.cli.command("send-reminders")
    def send_reminders_command():
        """Queue reminders two days before, the day-before "reply 1 or 2" text and the
        morning-of text (each booking once; texts wait for safe hours)."""
        count = scheduled.queue_reminders(utcnow())
        click.echo(f"Queued {count} reminder(s).")

    @app.cli.command("expire-offers")
    def expire_offers_command():
        """Lapse unclaimed waiting-list offers and pass each place on."""
        with unit_of_work():
            count = waitlist.expire_offers(
                now=utcnow(),
                policy=current_ending_policy(),
            )
        click.echo(f"{count} offer(s) lapsed and passed on.")

    @app.cli.command("close-overdue-referrals")
    def close_overdue_command():
        """Close referrals past their deadline (safe to run twice)."""
        counts = scheduled.close_overdue_referrals(utcnow())
        not_completed, completed = counts["not_completed"], counts["completed"]
        click.echo(f"Closed {not_completed} as not completed, {completed} as completed.")
