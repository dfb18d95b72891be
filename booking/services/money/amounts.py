"""Amounts of money in integer pence, written and read the same way on pages and in messages."""

import re

# The most one amount may be: far above any fee, fund or refund the charity handles, and far
# below the largest integer of pence the database stores (about £21 million).
MAX_PENCE = 1_000_000_00


def pounds(pence: int | None) -> str:
    """The house style for an amount, on pages and in messages alike: "£30" for whole pounds,
    "£30.50" otherwise, "£1,030" with a thousands comma; nothing is "£0"; a negative amount
    keeps its sign ("−£5")."""
    pence = pence or 0
    sign = "−" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}" if part == 0 else f"{sign}£{whole:,}.{part:02d}"


def parse_pounds(text: str | None) -> int | None:
    """'30', '30.5' or '£1,030.50' to pence; None when it is not a positive amount of money up
    to MAX_PENCE. Only the ASCII digits 0-9 count: '²' and '٣' pass ``str.isdigit`` but are not
    money (and ``int`` would fail on the first)."""
    cleaned = (text or "").strip().replace("£", "").replace(",", "")
    match = re.fullmatch(r"([0-9]{0,9})(?:\.([0-9]{1,2}))?", cleaned, flags=re.ASCII)
    if match is None or not (match.group(1) or match.group(2)):
        return None
    pounds, pence = match.group(1) or "0", (match.group(2) or "0").ljust(2, "0")
    total = int(pounds) * 100 + int(pence)
    return total if 0 < total <= MAX_PENCE else None
