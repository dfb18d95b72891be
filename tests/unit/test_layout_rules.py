"""The layout's rules hold in the code (docs/ARCHITECTURE.md, "Rules"): services are the rules
and only the rules, imports flow one way, and a name says where its code lives."""

import ast
from pathlib import Path

from booking import create_app
from config import TestConfig

ROOT = Path(__file__).resolve().parents[2]
BOOKING = ROOT / "booking"
SERVICES = BOOKING / "services"
# Packages that hold pages (a blueprint each, or a parent of nested ones).
BLUEPRINT_PACKAGES = (
    "booking.account",
    "booking.api",
    "booking.auth",
    "booking.force",
    "booking.public",
    "booking.referral",
    "booking.staff",
    "booking.trainer",
    "booking.webhooks",
)
# Services decide; they never reach the web layer, the outside world, the pages or the commands.
FORBIDDEN_IN_SERVICES = (
    "flask",
    "werkzeug",
    "booking.web",
    "booking.integrations",
    "booking.jobs",
    "booking.cli",
    *BLUEPRINT_PACKAGES,
)
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """Each import in the file as (module, names imported from it); absolute names only."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, counting ``from package import module`` as the module."""
    modules = set()
    for module, names in imports(path):
        modules.add(module)
        modules.update(f"{module}.{name}" for name in names)
    return modules


def is_view_module(path: Path) -> bool:
    """A module that adds pages to a blueprint (``@bp.route``, ``@bp.get``, ...)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
                    return True
    return False


def offenders(folder: Path, forbidden: tuple[str, ...], *, allowed: tuple[str, ...] = ()):
    return [
        (module_name(path), name)
        for path in python_files(folder)
        for name in sorted(imported_modules(path))
        if name.startswith(forbidden) and not name.startswith(allowed)
    ]


def test_services_never_import_the_web_layer_pages_commands_or_outside_calls():
    # werkzeug.security is a password hash function, not the web layer.
    assert offenders(SERVICES, FORBIDDEN_IN_SERVICES, allowed=("werkzeug.security",)) == []


def test_services_never_commit():
    committing = [
        str(path.relative_to(SERVICES))
        for path in python_files(SERVICES)
        if "session.commit(" in path.read_text() or "unit_of_work(" in path.read_text()
    ]
    assert committing == []


def test_jobs_never_import_commands_or_pages():
    """Commands call jobs (cli stays thin), never the other way round."""
    assert offenders(BOOKING / "jobs", ("booking.cli", *BLUEPRINT_PACKAGES)) == []


def test_web_never_imports_the_api_or_any_other_pages():
    """web/ is what every blueprint shares; a blueprint that needs something of web/ (the API's
    own error answers) registers it instead."""
    assert offenders(BOOKING / "web", (*BLUEPRINT_PACKAGES, "booking.jobs", "booking.cli")) == []


def test_integrations_only_talk_to_outside_services():
    """No database work, jobs, commands or pages in integrations/: a job or a route calls them."""
    forbidden = (
        "booking.database",
        "booking.extensions",
        "booking.jobs",
        "booking.cli",
        "booking.web",
        *BLUEPRINT_PACKAGES,
    )
    assert offenders(BOOKING / "integrations", forbidden) == []


NETWORK_CLIENTS = (
    "urllib.request",
    "http.client",
    "smtplib",
    "requests",
    "stripe",
    "notifications_python_client",
)


def test_only_integrations_talk_to_outside_services():
    """Every call out of Waypoint (Stripe, SMTP, Notify, a force's webhook) is in
    integrations/, so the outside world has one door, and it is never opened in a service."""
    calling_out = [
        entry
        for folder in sorted(path for path in BOOKING.iterdir() if path.is_dir())
        if folder.name != "integrations"
        for entry in offenders(folder, NETWORK_CLIENTS)
    ]
    assert calling_out == []


def test_pages_never_build_sql_or_touch_the_session():
    """Routes parse, call a service, commit once and render: every read is a named query in
    services/ (a ``queries`` module or the domain's own), every write a service function."""
    building = []
    for package in BLUEPRINT_PACKAGES:
        folder = ROOT / Path(*package.split("."))
        for path in python_files(folder):
            text = path.read_text()
            modules = {name for name in imported_modules(path) if name.startswith("sqlalchemy")}
            if modules - {"sqlalchemy.exc", "sqlalchemy.exc.IntegrityError"}:
                building.append((module_name(path), sorted(modules)))
            if "db.session" in text:
                building.append((module_name(path), "db.session"))
    assert building == []


def test_no_module_of_pages_imports_another():
    """Shared pieces of an area (its blueprint, a lookup, a panel) live in modules without pages,
    so each module of pages can be read, moved or removed on its own."""
    views = {module_name(path) for path in python_files(BOOKING) if is_view_module(path)}
    assert len(views) > 20  # the detector finds the pages
    crossing = [
        (module_name(path), name)
        for path in python_files(BOOKING)
        if module_name(path) in views
        for name in sorted(imported_modules(path) & views)
    ]
    assert crossing == []


def test_no_module_imports_another_modules_private_names():
    """``from x import _name`` reaches into another module as surely as ``x._name`` (which
    ruff's SLF001 refuses): make the name public, or move the code."""
    private = [
        (str(path.relative_to(ROOT)), module, name)
        for folder in (BOOKING, ROOT / "tests", ROOT / "bench", ROOT / "scripts")
        for path in python_files(folder)
        for module, names in imports(path)
        for name in names
        if name.startswith("_") and not name.startswith("__") and module != "__future__"
    ]
    assert private == []


def test_no_module_is_looked_up_by_name_at_run_time():
    """Imports are written out, so a reader (and mypy, and the rules above) can follow them."""
    looked_up = [
        str(path.relative_to(ROOT))
        for path in python_files(BOOKING)
        for node in ast.walk(ast.parse(path.read_text()))
        if (isinstance(node, ast.Name) and node.id == "__import__")
        or (isinstance(node, ast.Attribute) and node.attr == "import_module")
        or (isinstance(node, ast.alias) and node.name.split(".")[0] == "importlib")
    ]
    assert looked_up == []


def test_every_endpoint_names_the_package_its_view_lives_in():
    """``staff.money.refund`` is in booking/staff/money/, ``account.bookings.cancel`` in
    booking/account/bookings/: a newcomer finds a page's code from its name."""
    app = create_app(TestConfig)
    misplaced = []
    for rule in app.url_map.iter_rules():
        blueprint, _, _ = rule.endpoint.rpartition(".")
        if not blueprint or blueprint == "api-docs":  # static files; flask-smorest's own JSON
            continue
        module = app.view_functions[rule.endpoint].__module__
        if not module.startswith(f"booking.{blueprint}."):
            misplaced.append((rule.endpoint, module))
    assert misplaced == []


TESTS = ROOT / "tests"


def folders(path: Path) -> set[str]:
    return {
        child.name for child in path.iterdir() if child.is_dir() and child.name != "__pycache__"
    }


def test_tests_are_laid_out_like_the_code():
    """tests/unit/<domain>/ mirrors booking/services/<domain>/ and tests/functional/<area>/ a
    blueprint (or cli/, jobs/), so a rule's tests are found beside its name."""
    assert folders(TESTS / "unit") <= folders(SERVICES)
    pages = {package.rpartition(".")[2] for package in BLUEPRINT_PACKAGES}
    assert folders(TESTS / "functional") <= pages | {"cli", "jobs"}
    if (TESTS / "functional" / "staff").is_dir():
        assert folders(TESTS / "functional" / "staff") <= folders(BOOKING / "staff")
    every_folder = [
        path for path in TESTS.rglob("*") if path.is_dir() and "__pycache__" not in path.parts
    ]
    without_init = [f.relative_to(ROOT) for f in every_folder if not (f / "__init__.py").exists()]
    assert without_init == []


def test_no_test_is_named_after_an_issue_number():
    named = [str(path.relative_to(ROOT)) for path in TESTS.rglob("*.py") if "issue" in path.name]
    assert named == []


def test_uk_time_and_money_have_one_definition_each():
    """One LONDON (services/clock.py) and one way to write an amount (services/money/amounts.py
    ``pounds``): a second copy drifts (pages said £30 while messages said £30.00)."""
    london = [
        str(path.relative_to(ROOT))
        for path in python_files(BOOKING)
        if '"Europe/London"' in path.read_text()
    ]
    assert london == ["booking/services/clock.py"]
    formatting_pence = [
        str(path.relative_to(ROOT))
        for path in python_files(BOOKING)
        for line in path.read_text().splitlines()
        if "£{" in line and "MAX_PENCE" not in line
    ]
    assert formatting_pence == ["booking/services/money/amounts.py"]


def calls_of(path: Path, attribute: str) -> int:
    """How many times the file calls ``<something>.<attribute>(...)`` or ``<attribute>(...)``."""
    count = 0
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            count += name == attribute
    return count


def test_a_place_is_confirmed_and_the_person_told_in_one_step():
    """Confirming a booking and queueing "your place is confirmed" is one function
    (bookings/confirmation.py), so no entry path can confirm and forget to tell."""
    telling = {
        str(path.relative_to(ROOT))
        for path in python_files(SERVICES)
        if calls_of(path, "booking_confirmed")
    }
    assert telling == {"booking/services/bookings/confirmation.py"}
    confirming = {
        str(path.relative_to(ROOT)) for path in python_files(SERVICES) if calls_of(path, "confirm")
    }
    # The placement confirms a free place as it is written (then its caller tells, through
    # confirmation.place_and_tell); a move confirms and sends "rescheduled" instead.
    assert confirming <= {
        "booking/services/bookings/confirmation.py",
        "booking/services/bookings/seats.py",
        "booking/services/bookings/rescheduling.py",
    }
    placing = {
        str(path.relative_to(ROOT))
        for path in python_files(BOOKING)
        if calls_of(path, "place_booking")
    }
    assert placing <= {
        "booking/services/bookings/confirmation.py",
        "booking/services/bookings/seats.py",
        "booking/services/bookings/rescheduling.py",
    }


MAX_MODULE_LINES = 400


def test_no_module_passes_the_size_rule():
    """Small files (docs/ARCHITECTURE.md): a module is split by topic before it passes 400
    lines, so each can be read in one sitting."""
    long = {
        str(path.relative_to(ROOT)): lines
        for path in python_files(BOOKING)
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def _literal_years_and_real_clock(function: ast.FunctionDef) -> tuple[set[int], bool]:
    years, reads_clock = set(), False
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name in ("date", "datetime") and node.args and isinstance(node.args[0], ast.Constant):
            years.add(node.args[0].value)
        reads_clock |= name == "utcnow"
    return years, reads_clock


def test_no_test_writes_a_future_date_next_to_the_real_clock():
    """A test that books a literal date (a clock change, a series of weeks) and runs the rules at
    the real clock starts failing the day the clock passes that date: it uses tests/clock.NOW."""
    from tests.clock import NOW

    bombs = []
    for folder in (TESTS / "unit", TESTS / "functional"):
        for path in python_files(folder):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                    years, reads_clock = _literal_years_and_real_clock(node)
                    if reads_clock and any(year > NOW.year for year in years):
                        bombs.append(f"{path.relative_to(ROOT)}::{node.name}")
    assert bombs == []
