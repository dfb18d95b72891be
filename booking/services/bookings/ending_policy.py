"""The settings every ending follows, built once from configuration and passed as one object.

``end_booking`` requires an ``EndingPolicy``, so no path can end a booking with settings of
its own: the attendee, staff, a cancelled session, a referral withdrawn by staff or by a force's
API call, a hold or a Checkout page that lapses and a move all offer the freed place for the
same hours, with the same claim link, and refund by the same rule.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EndingPolicy:
    """How long a waiting-list offer lasts, how its claim link is built, and how many days
    before the session a person may cancel and still have a card payment back by itself."""

    offer_hours: int
    claim_url: Callable[[str], str]
    full_refund_days_before: int


def ending_policy_from(
    config: Mapping[str, Any], *, claim_url: Callable[[str], str]
) -> EndingPolicy:
    """The policy the configuration sets (WAITLIST_OFFER_HOURS, REFUND_FULL_DAYS_BEFORE)."""
    return EndingPolicy(
        offer_hours=int(config["WAITLIST_OFFER_HOURS"]),
        claim_url=claim_url,
        full_refund_days_before=int(config["REFUND_FULL_DAYS_BEFORE"]),
    )
