"""The retention policy: how long each kind of personal data is kept, in months."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

# The kinds of personal data, each with its own period. The keys appear in every run's record.
OFFENCE = "offence_data"
NEEDS = "needs"
CONTACT = "contact_details"
PAYMENTS = "payment_records"
HELP_WITH_FEES = "help_with_fees"
AUDIT = "audit_events"

KIND_LABELS = {
    OFFENCE: "Police reference, date of birth and disposal (referrals)",
    NEEDS: "Needs and preferences",
    CONTACT: "Name, contact details and messages (people)",
    PAYMENTS: "Payment and refund details",
    HELP_WITH_FEES: "Help-with-fee requests",
    AUDIT: "Audit events (deleted)",
}


@dataclass(frozen=True)
class RetentionPolicy:
    offence_months: int = 12
    needs_months: int = 3
    contact_months: int = 24
    payment_months: int = 72
    audit_months: int = 72

    @classmethod
    def from_config(cls, config: Mapping) -> "RetentionPolicy":
        """The policy from the app's settings (config.py documents each one and its default)."""
        defaults = cls()
        return cls(
            offence_months=int(config.get("RETENTION_OFFENCE_MONTHS", defaults.offence_months)),
            needs_months=int(config.get("RETENTION_NEEDS_MONTHS", defaults.needs_months)),
            contact_months=int(config.get("RETENTION_CONTACT_MONTHS", defaults.contact_months)),
            payment_months=int(config.get("RETENTION_PAYMENT_MONTHS", defaults.payment_months)),
            audit_months=int(config.get("RETENTION_AUDIT_MONTHS", defaults.audit_months)),
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes the month's
    last day), so "12 months after" means what a person would expect, leap years included."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def months_after(moment: datetime, months: int) -> datetime:
    return months_before(moment, -months)
