"""The migrations form one chain, numbered in chain order, so a newcomer reads them in order."""

import re
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def read_chain() -> dict[str, tuple[str | None, str]]:
    """revision -> (down_revision, file name)."""
    chain = {}
    for path in VERSIONS.glob("*.py"):
        text = path.read_text()
        revision = re.search(r"^revision = ['\"]([^'\"]+)['\"]", text, re.M).group(1)
        down = re.search(r"^down_revision = (?:['\"]([^'\"]+)['\"]|None)", text, re.M).group(1)
        chain[revision] = (down, path.name)
    return chain


def test_one_head_and_no_branches():
    chain = read_chain()
    downs = [down for down, _ in chain.values()]
    heads = [revision for revision in chain if revision not in downs]
    assert len(heads) == 1, f"several heads: {heads}"
    assert len(downs) == len(set(downs)), "two migrations revise the same one"
    assert downs.count(None) == 1


def test_files_are_numbered_in_chain_order():
    chain = read_chain()
    by_down = {down: revision for revision, (down, _) in chain.items()}
    ordered, current = [], by_down[None]
    while current is not None:
        ordered.append(chain[current][1])
        current = by_down.get(current)
    numbers = [int(name.split("_", 1)[0]) for name in ordered]
    assert numbers == list(range(1, len(ordered) + 1)), ordered
