"""The rules of the service. Functions here flush but never commit; the caller commits once."""
