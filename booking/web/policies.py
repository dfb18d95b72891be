"""The settings a request or a job follows, built from the app's configuration in one place."""

from flask import current_app

from booking.services.bookings.ending_policy import EndingPolicy, ending_policy_from
from booking.web import links


def current_ending_policy() -> EndingPolicy:
    """How every ending offers a freed place and settles money, from this app's configuration
    (WAITLIST_OFFER_HOURS, REFUND_FULL_DAYS_BEFORE) and its public claim links."""
    return ending_policy_from(current_app.config, claim_url=links.claim_url)
