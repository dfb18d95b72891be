"""The burst bench entry (bench/burst.py) keeps working, on a small size: every referral of
a burst is stored once, and retries with the same Idempotency-Keys return the same referrals.
Nothing here checks speed; `python -m bench.burst` reports it."""

import pytest

from bench import burst

pytestmark = pytest.mark.database


def test_a_burst_and_its_retries_store_each_referral_once(database_url):
    result = burst.run(database_url, 60)
    assert result.stored == 60
    assert result.replayed_same_ids
    assert result.statuses == {201: 120}
