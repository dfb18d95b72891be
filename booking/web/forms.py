"""Small pieces shared by the forms of several blueprints."""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """Only follow a ``next`` that stays on this site (a path), never another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target
