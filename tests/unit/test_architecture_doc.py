"""docs/ARCHITECTURE.md names every folder and module of booking/, so a newcomer can find what
each is for (and a module added without a line there is noticed)."""

import re
from pathlib import Path

from booking import create_app
from config import TestConfig

ROOT = Path(__file__).resolve().parents[2]
BOOKING = ROOT / "booking"
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def named_by_folder() -> dict[str, set[str]]:
    """Each "### booking/<folder>/" heading, with the file names written in its section."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text().splitlines():
        heading = re.fullmatch(r"### (booking/(?:[\w/]+/)?)", line.strip())
        if heading:
            current = sections.setdefault(heading.group(1), set())
        elif line.startswith("## "):
            current = None
        elif current is not None:
            current.update(re.findall(r"`(\w+\.py)`", line))
    return sections


def test_every_folder_and_module_of_booking_is_named():
    sections = named_by_folder()
    missing = []
    for folder in sorted({path.parent for path in BOOKING.rglob("*.py")}):
        key = f"{folder.relative_to(ROOT).as_posix()}/"
        names = sections.get(key)
        if names is None:
            missing.append(key)
            continue
        for path in sorted(folder.glob("*.py")):
            if path.name != "__init__.py" and path.name not in names:
                missing.append(f"{key}{path.name}")
    assert missing == [], "name these in docs/ARCHITECTURE.md, 'Every module, by folder'"


def test_the_doc_names_no_module_that_is_gone():
    stale = [
        f"{folder}{name}"
        for folder, names in named_by_folder().items()
        for name in names
        if not (ROOT / folder / name).exists()
    ]
    assert stale == []


PATH_IN_BACKTICKS = re.compile(
    r"`((?:booking|tests|templates|docs|scripts|bench|migrations)/[^`\s:()]*)"
)


def written_paths(text: str) -> set[str]:
    return {path for path in PATH_IN_BACKTICKS.findall(text) if "<" not in path and "*" not in path}


def test_every_path_the_readme_and_the_architecture_name_exists():
    """A moved module or test must not leave the docs pointing at nothing (the worked examples
    at the end of ARCHITECTURE.md name files that a new feature would add, so they are left
    out)."""
    architecture = DOC.read_text().split("## Where does a new feature go")[0]
    readme = (ROOT / "README.md").read_text()
    missing = sorted(
        path
        for path in written_paths(architecture) | written_paths(readme)
        if not (ROOT / path).exists()
    )
    assert missing == []


def test_every_flask_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    # db (Flask-Migrate) and openapi (flask-smorest) are the libraries' own.
    commands = create_app(TestConfig).cli.commands
    ours = {name for name in commands if name not in ("db", "openapi")}
    assert ours
    assert sorted(name for name in ours if f"flask --app wsgi {name}" not in readme) == []
