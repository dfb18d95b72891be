"""Person-first, plain words: no stigmatising labels in any template."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STIGMA = re.compile(
    r"\b(offenders?|addicts?|junkies|junkie|drug abusers?|substance abusers?)\b", re.IGNORECASE
)


# Pages, and the wording of every message (templates/messages/*.txt).
ALL_TEMPLATES = sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")])


def test_there_are_templates_to_check():
    assert len(list(TEMPLATES.rglob("*.html"))) > 10
    assert len(list(TEMPLATES.rglob("*.txt"))) > 10


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_uses_person_first_words(path):
    found = STIGMA.findall(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.name}: {found}"


def test_the_word_check_catches_each_label():
    for text in ("Offender", "addicts", "a JUNKIE", "drug abuser", "Substance Abusers"):
        assert STIGMA.search(text), text
    assert not STIGMA.search("reoffending support")  # word boundaries, not substrings
