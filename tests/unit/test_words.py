"""Person-first, non-stigmatising words on every page an attendee can see."""

import re
from pathlib import Path

from booking.services.errors import MESSAGES
from booking.services.notify.outbox import NEUTRAL_SUBJECTS

ROOT = Path(__file__).resolve().parent.parent.parent
ATTENDEE_FACING = [
    "base.html",
    "error.html",
    "macros",
    "public",
    "account",
    "auth",
    "referral",
]
STIGMATISING = re.compile(
    r"\b(offenders?|addicts?|abusers?|junkies|junkie|clean|dirty)\b", re.IGNORECASE
)


def stigmatising_words(text: str) -> list[str]:
    return [match.group(0) for match in STIGMATISING.finditer(text)]


def _attendee_templates() -> list[Path]:
    found = []
    for name in ATTENDEE_FACING:
        path = ROOT / "templates" / name
        found += sorted(path.rglob("*.html")) if path.is_dir() else [path]
    return found


def test_the_checker_catches_each_word():
    text = "An offender, addicts, an abuser, a junkie, a clean or dirty test."
    assert [w.lower() for w in stigmatising_words(text)] == [
        "offender",
        "addicts",
        "abuser",
        "junkie",
        "clean",
        "dirty",
    ]
    assert stigmatising_words("A person who uses drugs; a negative test result.") == []


def test_attendee_facing_templates_use_no_stigmatising_words():
    templates = _attendee_templates()
    assert len(templates) >= 10
    problems = {
        str(path.relative_to(ROOT)): words
        for path in templates
        if (words := stigmatising_words(path.read_text()))
    }
    assert problems == {}


def test_messages_people_see_use_no_stigmatising_words():
    texts = list(MESSAGES.values()) + list(NEUTRAL_SUBJECTS.values())
    python_pages = ["public", "account", "auth", "referral"]
    for name in python_pages:
        texts += [path.read_text() for path in (ROOT / "booking" / name).rglob("*.py")]
    assert [word for text in texts for word in stigmatising_words(text)] == []
