"""Data protection: the retention policy, anonymising what is past it, subject access, erasure
and the access log. No Flask here: callers pass the policy, the person and ``now``."""
