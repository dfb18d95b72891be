"""Start Waypoint as deployed and walk a booking through it: two gunicorn web instances on
different ports, one worker, PostgreSQL (a fresh database of this run's own) and Redis (queue and
sign-in limits), each web instance serving TLS with a throwaway certificate.

The journey crosses the instances on purpose: an attendee signs in on one and books on the other
(one session, one CSRF token, whichever instance answers), and an admin queues a trainer
allocation on one and watches the worker's result appear on the other.

    make stack                       # or: .venv/bin/python scripts/stack.py
    STACK_KEEP=1 make stack          # leave it running until Ctrl-C (to click around)

Needs PostgreSQL and Redis on 127.0.0.1 (STACK_POSTGRES_URL, STACK_REDIS_DB to change them).
Exits non-zero, with the processes' logs, when any step fails.
"""

import http.cookiejar
import os
import re
import secrets
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from tests import deployment  # noqa: E402
from tests.deployment import EMAIL, PASSWORD  # noqa: E402
from tests.localstripe_checkout import free_port  # noqa: E402

POSTGRES_URL = os.environ.get(
    "STACK_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_DB = int(os.environ.get("STACK_REDIS_DB", "3"))
ADMIN_EMAIL, DEMO_PASSWORD = "admin@example.org", "waypoint-demo"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class StepFailed(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise StepFailed(what)
    print(f"  ok: {what}")


class Browser:
    """A plain HTTPS client with one cookie jar for every instance (they share one host name,
    as behind a load balancer), trusting only this run's certificate authority."""

    def __init__(self, context: ssl.SSLContext) -> None:
        jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(jar),
            NoRedirect,
        )

    def open(self, url: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if data is not None:  # what a browser sends with a form: the page's own origin
            request.add_header("Origin", "/".join(url.split("/")[:3]))
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, dict(answer.headers), answer.read().decode()

    def token(self, url: str) -> str:
        status, _, page = self.open(url)
        if status != 200:
            raise StepFailed(f"GET {url} answered {status}: {page[:300]!r}")
        found = TOKEN.search(page)
        if found is None:
            raise StepFailed(f"no CSRF token on {url}")
        return found.group(1)

    def sign_in(self, base: str, email: str, password: str) -> None:
        token = self.token(f"{base}/account/login")
        status, headers, _ = self.open(
            f"{base}/account/login", {"csrf_token": token, "email": email, "password": password}
        )
        check(status == 302, f"{email} signs in on {base}")


def services_answer() -> str | None:
    why_not = deployment.postgres_answers(POSTGRES_URL)
    if why_not:
        return why_not
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis did not answer: {error}"
    return None


def journey(web: list[str], context: ssl.SSLContext, free_session_id: int, database_url: str):
    first, second = web
    print("Attendee: signs in on the first instance, books on the second")
    attendee = Browser(context)
    attendee.sign_in(first, EMAIL, PASSWORD)
    token = attendee.token(f"{second}/my/sessions/{free_session_id}/book")
    status, headers, _ = attendee.open(
        f"{second}/my/sessions/{free_session_id}/book", {"csrf_token": token}
    )
    check(status == 303, "the booking is made on the second instance")
    booking_path = urllib.parse.urlsplit(headers["Location"]).path
    status, _, page = attendee.open(f"{first}{booking_path}")
    check(status == 200 and "Your place is booked" in page, "the first instance shows it booked")

    print("Admin: queues an allocation on the second instance, the worker solves it")
    staff = Browser(context)
    staff.sign_in(second, ADMIN_EMAIL, DEMO_PASSWORD)
    token = staff.token(f"{second}/admin/trainers/allocation")
    today = date.today()
    status, headers, page = staff.open(
        f"{second}/admin/trainers/allocation",
        {
            "csrf_token": token,
            "date_from": today.isoformat(),
            "date_to": (today + timedelta(days=30)).isoformat(),
        },
    )
    check(status == 303, "the allocation is queued (the request does not solve it)")
    run_path = urllib.parse.urlsplit(headers["Location"]).path
    deadline = time.monotonic() + 120
    while True:
        status, _, page = staff.open(f"{first}{run_path}")
        if status == 200 and "sessions considered" in page:
            break
        if time.monotonic() > deadline or "could not be" in page:
            raise StepFailed(f"the worker did not finish the allocation:\n{page[-2000:]}")
        time.sleep(1)
    check(True, "the first instance shows the worker's proposal")

    print("Worker: the every-minute jobs ran, each under its lock")
    engine = create_engine(database_url)
    deadline = time.monotonic() + 90
    while True:
        with engine.connect() as connection:
            names = set(connection.scalars(text("SELECT name FROM job_locks")))
        if {"expire-holds-and-offers", "send-notifications"} <= names:
            break
        if time.monotonic() > deadline:
            raise StepFailed(f"scheduled jobs did not run; locks seen: {sorted(names)}")
        time.sleep(1)
    engine.dispose()
    check(True, "holds, offers and notifications jobs ran in the worker")


def stack_environment(database_url: str, ports: list[int], prefix: str) -> dict[str, str]:
    """The settings every process of the stack shares, as production would give them."""
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "WAYPOINT_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        # Both instances answer as one site (a load balancer in front would give one address).
        "PUBLIC_BASE_URL": f"https://127.0.0.1:{ports[0]}",
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "REDIS_URL": redis_url,
        "WORKER_THREADS": "2",
    }
    for unwanted in ("TEST_DATABASE_URL", "TASKS_RUN_IMMEDIATELY", "WORKER_QUEUE_FILE"):
        env.pop(unwanted, None)
    return env


def migrate_and_seed(env: dict[str, str], name: str, database_url: str) -> int:
    """Migrate and seed the stack's database; returns a session with free places."""
    print(f"PostgreSQL database {name}: migrating and seeding")
    deployment.migrate(env, PROJECT, timeout=300)
    free_session_id, _ = deployment.seed(database_url)
    deployment.clear_queue(REDIS_DB)
    return free_session_id


def stack_commands(ports: list[int], workdir: Path) -> list[tuple[str, list[str]]]:
    """Two gunicorn instances serving TLS, and one worker."""
    commands = [
        (
            f"web-{port}",
            deployment.gunicorn_command(
                port,
                workdir / "cert.pem",
                workdir / "key.pem",
                "--control-socket",
                str(workdir / f"web-{port}.ctl"),
            ),
        )
        for port in ports
    ]
    commands.append(("worker", [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]))
    return commands


Process = tuple[str, subprocess.Popen, Path]


def start(
    commands: list[tuple[str, list[str]]], env: dict[str, str], workdir: Path, into: list[Process]
) -> None:
    """Start each command with its own log; each is added to ``into`` as it starts, so the
    caller stops every one that started even if a later one fails."""
    for label, command in commands:
        log = workdir / f"{label}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                command,
                cwd=PROJECT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        into.append((label, process, log))


def run_journey(
    ports: list[int], context, processes: list[Process], free_session_id: int, database_url: str
) -> None:
    web = [f"https://127.0.0.1:{port}" for port in ports]
    for url, (_, process, log) in zip(web, processes, strict=False):
        try:
            deployment.wait_until_ready(url, context, process, log)
        except RuntimeError as error:
            raise StepFailed(str(error)) from error
    print(f"Web instances: {', '.join(web)}; worker on Redis database {REDIS_DB}")
    journey(web, context, free_session_id, database_url)
    for label, process, log in processes:
        check(process.poll() is None, f"{label} is still running")
        check("Traceback" not in log.read_text(), f"{label} logged no errors")
    if os.environ.get("STACK_KEEP") == "1":
        print("Running; Ctrl-C stops everything.")
        while all(process.poll() is None for _, process, _ in processes):
            time.sleep(1)


def stop(processes: list[Process], *, show_logs: bool) -> None:
    for _, process, _ in processes:
        process.terminate()
    for _, process, _ in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    if show_logs:
        for label, _, log in processes:
            print(f"--- {label} log ---\n{log.read_text()[-4000:]}", file=sys.stderr)


def main() -> int:
    why_not = services_answer()
    if why_not:
        print(f"The stack needs PostgreSQL and Redis on 127.0.0.1: {why_not}", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-stack-"))
    _, _, context = deployment.certificate(workdir)

    name, database_url = deployment.create_database(POSTGRES_URL, "waypoint_stack")
    ports = [free_port(), free_port()]
    prefix = f"waypoint-stack-{uuid.uuid4().hex[:8]}"
    env = stack_environment(database_url, ports, prefix)
    processes: list[Process] = []
    failed = False
    try:
        free_session_id = migrate_and_seed(env, name, database_url)
        start(stack_commands(ports, workdir), env, workdir, processes)
        run_journey(ports, context, processes, free_session_id, database_url)
        print("Stack journey passed.")
    except (StepFailed, subprocess.CalledProcessError) as error:
        failed = True
        print(f"Stack journey FAILED: {error}", file=sys.stderr)
        if isinstance(error, subprocess.CalledProcessError):
            print(error.stdout, error.stderr, file=sys.stderr)
    except KeyboardInterrupt:
        print("Stopping.")
    finally:
        stop(processes, show_logs=failed)
        deployment.drop_database(POSTGRES_URL, name)
        store = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
