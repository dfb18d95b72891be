"""A row a page names in its URL, or 404."""

from typing import TypeVar

from flask import abort

Row = TypeVar("Row")


def or_404(row: Row | None) -> Row:
    """``row`` itself, or a 404 when the lookup found nothing (typed: never None after)."""
    if row is None:
        abort(404)
    return row
