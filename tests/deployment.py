"""What the production-shaped tests and the stack script (scripts/stack.py) both need to run
Waypoint as deployed: a throwaway TLS certificate, a PostgreSQL database of their own, a small
seed, and waiting for a server to answer."""

import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
import redis
import trustme
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

PASSWORD = "waypoint-production-test"
EMAIL = "robin.lee@example.org"


def certificate(folder: Path) -> tuple[Path, Path, ssl.SSLContext]:
    """A throwaway CA and a certificate for 127.0.0.1; the client context trusts only that CA."""
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "localhost")
    issued.private_key_pem.write_to_path(str(folder / "key.pem"))
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(folder / "cert.pem"), append=True)
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return folder / "cert.pem", folder / "key.pem", context


def postgres_answers(url: str) -> str | None:
    """None when PostgreSQL answers at ``url``'s server; otherwise why not."""
    base = make_url(url)
    try:
        psycopg.connect(
            host=base.host or "127.0.0.1",
            port=base.port or 5432,
            user=base.username or "postgres",
            dbname=base.database or "postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        return f"PostgreSQL did not answer at {base.host}:{base.port}: {error}"
    return None


def create_database(url: str, prefix: str) -> tuple[str, str]:
    """A new, empty database on ``url``'s server: its name and its URL."""
    base = make_url(url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, base.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(env: dict[str, str], project: Path, *, timeout: int) -> None:
    """``flask db upgrade`` with the deployed settings ``env`` (raises CalledProcessError)."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        timeout=timeout,
    )


def gunicorn_command(port: int, certificate: Path, key: Path, *extra: str) -> list[str]:
    """gunicorn as deployed: two workers serving TLS itself on 127.0.0.1:<port>."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--certfile",
        str(certificate),
        "--keyfile",
        str(key),
        *extra,
        "wsgi:app",
    ]


def clear_queue(redis_db: int) -> None:
    """Forget tasks an earlier run left in this Redis database: they would point at a database
    that run has dropped."""
    store = redis.Redis(host="127.0.0.1", port=6379, db=redis_db)
    for leftover in store.scan_iter("huey.*"):
        store.delete(leftover)
    store.close()


def seed(database_url: str) -> tuple[int, int]:
    """Demo venues and courses, a free and a paid session, and one attendee with a password."""
    from booking import create_app
    from booking.database import unit_of_work
    from booking.demo.seed import seed_demo
    from booking.extensions import db
    from booking.models import (
        AttendeeProfile,
        CourseSession,
        CourseType,
        Role,
        SessionStatus,
        User,
        Venue,
        utcnow,
    )
    from config import TestConfig

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        with unit_of_work():
            seed_demo(now=now)
            venue = db.session.scalars(select(Venue).order_by(Venue.id)).first()
            sessions = []
            for slug, name, fee in [
                ("taster-evening", "Taster evening", 0),
                ("evening-workshop", "Evening workshop", 3500),
            ]:
                course = CourseType(
                    slug=slug,
                    name=name,
                    duration_minutes=120,
                    default_capacity=20,
                    default_fee_pence=fee,
                )
                starts = now + timedelta(days=10)
                sessions.append(
                    CourseSession(
                        course_type=course,
                        venue=venue,
                        force_id=venue.force_id,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                        capacity=20,
                        status=SessionStatus.SCHEDULED,
                    )
                )
            db.session.add_all(sessions)
            person = User(email=EMAIL, role=Role.ATTENDEE, first_name="Robin", last_name="Lee")
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.flush()
            db.session.add(
                AttendeeProfile(user_id=person.id, prefers_women_only=False, email_is_safe=True)
            )
            ids = sessions[0].id, sessions[1].id
        db.engine.dispose()
    return ids


def wait_until_ready(
    url: str, context: ssl.SSLContext, process, log: Path, *, seconds: int = 90
) -> None:
    """Until ``url``/healthz answers 200; RuntimeError, with the server's log, when the process
    stops or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", context=context, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text()}")
