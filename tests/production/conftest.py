"""The app as deployed: gunicorn serving TLS itself with production settings, on PostgreSQL,
rate-limited in Redis, paying through localstripe.

One gunicorn per run, on a free port on 127.0.0.1, with a throwaway certificate (trustme), its
own PostgreSQL database (migrated by ``flask db upgrade``, then a small seed) and its own Redis
key prefix. These tests run only when WAYPOINT_PRODUCTION_TESTS=1 (.ci/run sets it after the
main suite), so ``make test`` neither runs them twice nor needs PostgreSQL; when PostgreSQL or
Redis does not answer they are skipped with the reason.
"""

import os
import secrets
import ssl
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests import deployment, localstripe_checkout
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENABLED = os.environ.get("WAYPOINT_PRODUCTION_TESTS") == "1"
POSTGRES_URL = (
    os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_DB = int(os.environ.get("PRODUCTION_TEST_REDIS_DB", "1"))
PASSWORD, EMAIL = deployment.PASSWORD, deployment.EMAIL
WEBHOOK_SECRET = "whsec_production_test"


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    skip = pytest.mark.skip(
        reason="production-shaped tests (gunicorn, TLS, PostgreSQL, Redis) run only with "
        "WAYPOINT_PRODUCTION_TESTS=1, as .ci/run does"
    )
    for item in items:
        if "production" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # The certificate is a throwaway one from a test CA the browser does not know.
        "args": [*CHROMIUM_ARGS, "--ignore-certificate-errors"],
    }


@dataclass
class Deployed:
    url: str
    database_url: str
    stripe_url: str
    redis_prefix: str
    ssl_context: ssl.SSLContext
    free_session_id: int
    paid_session_id: int
    email: str = EMAIL
    password: str = PASSWORD
    redis_db: int = REDIS_DB


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    """A throwaway CA and a certificate for 127.0.0.1; the client context trusts only that CA."""
    return deployment.certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def production_database():
    """A PostgreSQL database of this run's own, dropped at the end."""
    why_not = deployment.postgres_answers(POSTGRES_URL)
    if why_not:
        pytest.skip(why_not)
    name, url = deployment.create_database(POSTGRES_URL, "waypoint_production")
    try:
        yield url
    finally:
        deployment.drop_database(POSTGRES_URL, name)


@pytest.fixture(scope="session")
def redis_prefix():
    """A Redis key prefix of this run's own; its keys are deleted at the end."""
    store = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=2)
    try:
        store.ping()
    except redis.RedisError as error:
        store.close()
        pytest.skip(f"Redis did not answer on 127.0.0.1:6379: {error}")
    prefix = f"waypoint-production-{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()


@pytest.fixture(scope="session")
def stripe_url():
    url = localstripe_checkout.start()
    yield url
    localstripe_checkout.stop()


@pytest.fixture(scope="session")
def deployed(tls, production_database, redis_prefix, stripe_url, tmp_path_factory):
    """gunicorn with WAYPOINT_ENV=production serving https://127.0.0.1:<port>."""
    certificate, key, client_context = tls
    port = localstripe_checkout.free_port()
    url = f"https://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "WAYPOINT_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": production_database,
        "PUBLIC_BASE_URL": url,
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "STRIPE_SECRET_KEY": "sk_test_localstripe",
        "STRIPE_API_BASE": stripe_url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_CHECKOUT_ORIGIN": stripe_url,
        # The worker's queue: refunds, messages and scheduled jobs run there, as deployed.
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.pop("TASKS_RUN_IMMEDIATELY", None)
    deployment.clear_queue(REDIS_DB)
    deployment.migrate(env, PROJECT_ROOT, timeout=180)
    free_id, paid_id = deployment.seed(production_database)
    localstripe_checkout.CONFIG.update(
        webhook_url=f"{url}/webhooks/stripe", webhook_secret=WEBHOOK_SECRET, ssl=client_context
    )
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    command = deployment.gunicorn_command(
        port, certificate, key, "--error-logfile", str(log), "--log-level", "warning"
    )
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL)
    worker_log = log.with_name("worker.log")
    with worker_log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deployment.wait_until_ready(url, client_context, process, log)
        yield Deployed(
            url=url,
            database_url=production_database,
            stripe_url=stripe_url,
            redis_prefix=redis_prefix,
            ssl_context=client_context,
            free_session_id=free_id,
            paid_session_id=paid_id,
        )
    finally:
        for running in (process, worker):
            running.terminate()
            try:
                running.wait(timeout=20)
            except subprocess.TimeoutExpired:
                running.kill()
                running.wait(timeout=10)
        localstripe_checkout.CONFIG.update(ssl=True)
        for name, written in (("gunicorn", log), ("the worker", worker_log)):
            errors = [line for line in written.read_text().splitlines() if "Traceback" in line]
            assert not errors, f"{name} logged errors:\n{written.read_text()}"
