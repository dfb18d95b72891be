"""One fixed moment for tests that write dates: a test that sets a session for a literal date
(a clock change, a series of weeks) runs its rules at NOW, never at the real clock, so it does
not start failing the day the real clock passes that date."""

from datetime import UTC, datetime

# A Monday morning in UK summer time, before every literal date the tests write.
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
