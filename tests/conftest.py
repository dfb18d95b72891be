"""Fixtures: a migrated database per test, the app, a client, and signing in as a role."""

from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from booking import create_app
from booking.extensions import db as _db
from booking.models import Role
from config import TestConfig
from tests import factories
from tests.databases import PostgresDatabases, SqliteDatabases, postgres_url
from tests.worker_helpers import queued  # noqa: F401 (a fixture every test may ask for)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    url = postgres_url()
    manager = PostgresDatabases(url) if url else SqliteDatabases(tmp_path_factory.mktemp("db"))
    yield manager
    manager.close()


@pytest.fixture
def database_url(databases, tmp_path):
    url = databases.fresh(tmp_path)
    yield url
    databases.reset(url)


@pytest.fixture
def app(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


class IsolatedClient(FlaskClient):
    """A test client whose every request has its own app context and database session.

    As in production, a request never sees the test's uncommitted objects or identity map:
    what the test built is committed first, and the test's session starts afresh afterwards.
    """

    def open(self, *args, **kwargs):
        _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.commit()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


class Auth:
    """Sign in through the real login form, as a new user of a role or as a given user."""

    def __init__(self, client, db):
        self.client = client
        self.db = db

    def login_as(self, role: Role | str = Role.ATTENDEE, user=None):
        if user is None:
            user = factories.user(Role(role))
            self.db.session.commit()
        response = self.client.post(
            "/account/login", data={"email": user.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, "sign-in failed"
        return user

    def logout(self):
        self.client.post("/account/logout")


@pytest.fixture
def auth(client, db):
    return Auth(client, db)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db):
    """Count SQL statements run inside a ``with count_queries() as counter:`` block."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def fake_notify(app):
    """A local fake GOV.UK Notify (tests/fakes/notify.py), with the app pointed at it."""
    from tests.fakes import notify

    server, fake = notify.start()
    app.config.update(notify.settings(), NOTIFY_BASE_URL=fake.base_url)
    yield fake
    server.shutdown()
    server.server_close()
