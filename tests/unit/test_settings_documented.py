"""Every setting the code reads is in .env.example and the README's settings table, and every
setting documented there is read by something (the code, the Makefile or a Procfile)."""

import ast
import re
from pathlib import Path

from flask import Flask

import config

PROJECT = Path(__file__).resolve().parents[2]
PYTHON_SOURCES = [PROJECT / "config.py", PROJECT / "wsgi.py", *(PROJECT / "booking").rglob("*.py")]
RUN_FILES = [PROJECT / "Makefile", PROJECT / "Procfile", PROJECT / "Procfile.dev"]
# config.py's helpers, each reading one environment variable.
ENV_HELPERS = {"_int", "_bool", "_list", "getenv"}


def _text(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_environ(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _is_config(node) -> bool:
    return (isinstance(node, ast.Name) and node.id == "config") or (
        isinstance(node, ast.Attribute) and node.attr == "config"
    )


def _reads() -> tuple[set[str], set[str]]:
    """(environment variables, config keys) read anywhere in the app's code."""
    environment, keys = set(), set()
    for path in PYTHON_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Subscript) and _text(node.slice):
                if _is_environ(node.value):
                    environment.add(_text(node.slice))
                elif _is_config(node.value):
                    keys.add(_text(node.slice))
            elif isinstance(node, ast.Call) and node.args and _text(node.args[0]):
                name, func = _text(node.args[0]), node.func
                if isinstance(func, ast.Name) and func.id in ENV_HELPERS:
                    environment.add(name)
                elif isinstance(func, ast.Attribute) and func.attr == "getenv":
                    environment.add(name)
                elif isinstance(func, ast.Attribute) and func.attr == "get":
                    if _is_environ(func.value):
                        environment.add(name)
                    elif _is_config(func.value):
                        keys.add(name)
    return environment, {key for key in keys if key.isupper()}


def _in_env_example() -> set[str]:
    text = (PROJECT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def _in_readme() -> set[str]:
    text = (PROJECT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def _read_by_run_files() -> set[str]:
    names = set()
    for path in RUN_FILES:
        names |= set(re.findall(r"\$[({]?([A-Z][A-Z0-9_]*)", path.read_text()))
    return names


def test_every_setting_the_code_reads_is_documented_in_both_places():
    environment, _ = _reads()
    assert environment - _in_env_example() == set(), "missing from .env.example"
    assert environment - _in_readme() == set(), "missing from the README settings table"


def test_every_documented_setting_is_read_by_something():
    environment, _ = _reads()
    read = environment | _read_by_run_files()
    assert _in_env_example() - read == set(), "in .env.example but never read"
    assert _in_readme() - read == set(), "in the README settings table but never read"


def test_every_config_key_the_code_reads_is_set_from_the_environment_or_by_flask():
    _, keys = _reads()
    ours = {name for name in dir(config.Config) if name.isupper()}
    flasks_own = set(Flask.default_config)
    assert keys - ours - flasks_own == set()
