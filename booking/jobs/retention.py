"""The daily retention run, for the scheduled jobs: ``run(now)`` in its own transaction."""

from datetime import datetime

from flask import current_app

from booking.database import unit_of_work
from booking.services.privacy.policy import RetentionPolicy
from booking.services.privacy.retention import RetentionResult, apply_retention


def run(now: datetime, *, dry_run: bool = False, trigger: str = "schedule") -> RetentionResult:
    """Anonymise everything past its period (needs an app context for the settings).
    Safe to run twice: the second run finds nothing. A dry run only counts."""
    policy = RetentionPolicy.from_config(current_app.config)
    with unit_of_work():
        return apply_retention(policy, now=now, dry_run=dry_run, trigger=trigger)
