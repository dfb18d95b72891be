"""The layout's rules hold in the code: services are the rules, and only the rules."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "booking" / "services"
# Services decide; they never reach the web layer, the outside world or the transaction's end.
FORBIDDEN_IMPORTS = ("flask", "werkzeug", "booking.web", "booking.integrations", "booking.jobs")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_services_never_import_the_web_layer_or_outside_calls():
    offending = [
        (str(path.relative_to(SERVICES)), name)
        for path in SERVICES.rglob("*.py")
        for name in imported_modules(path)
        # werkzeug.security is a password hash function, not the web layer.
        if name.startswith(FORBIDDEN_IMPORTS) and name != "werkzeug.security"
    ]
    assert offending == []


def test_services_never_commit():
    committing = [
        str(path.relative_to(SERVICES))
        for path in SERVICES.rglob("*.py")
        if "session.commit(" in path.read_text() or "unit_of_work(" in path.read_text()
    ]
    assert committing == []
