"""Test databases built by the real migrations: SQLite by default, PostgreSQL when asked.

SQLite: the migrated database is built once per run and copied afresh for every test.
PostgreSQL (TEST_DATABASE_URL): a database of this run's own is created and migrated once,
emptied after every test, and dropped at the end, so parallel runs never meet.
"""

import os
import shutil
import uuid
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from booking import create_app
from booking.extensions import db
from config import TestConfig

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def migrate(url: str) -> None:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, workdir: Path) -> None:
        self.template = workdir / "template.db"
        migrate(f"sqlite:///{self.template}")

    def fresh(self, tmp_path: Path) -> str:
        path = tmp_path / "test.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def reset(self, url: str) -> None:
        pass

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self, base_url: str) -> None:
        base = make_url(base_url)
        self.name = f"waypoint_test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        migrate(self.url)
        engine = create_engine(self.url)
        with engine.connect() as connection:
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            self.truncate = (
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
        self.engine = engine

    def fresh(self, tmp_path: Path) -> str:
        return self.url

    def reset(self, url: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(self.truncate))

    def close(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()
