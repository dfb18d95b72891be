"""A lock wait that runs out anywhere is a calm "busy, try again", never a server error."""

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from booking import create_app
from booking.extensions import db as _db
from config import TestConfig
from tests import factories


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
        Exception("database is locked"),
    ],
    ids=["postgresql-lock-timeout", "sqlite-busy"],
)
def test_a_lock_wait_that_runs_out_says_we_are_busy(db, cause):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=db.engine.url)

    @app.post("/waits-for-a-lock")
    def waits_for_a_lock():
        raise OperationalError("SELECT ... FOR UPDATE", {}, cause)

    response = app.test_client().post("/waits-for-a-lock")
    assert response.status_code == 409
    assert "We are busy right now. Please wait a moment and try again." in response.text


def test_any_other_database_failure_is_still_a_server_error(db):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=db.engine.url)

    @app.get("/database-gone")
    def database_gone():
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    assert app.test_client().get("/database-gone").status_code == 500


def _signed_in_client(app, db):
    person = factories.user()
    db.session.commit()
    client = app.test_client()
    response = client.post(
        "/account/login", data={"email": person.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return client


def _database_down(monkeypatch, cause):
    """From now on, loading the signed-in user fails too, as it would with no database."""

    def load_fails(*args, **kwargs):
        raise OperationalError("SELECT users", {}, cause)

    monkeypatch.setattr("booking.auth.sessions.accounts.user_for_session_id", load_fails)


def test_an_error_page_renders_branded_with_the_database_down(db, monkeypatch):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=db.engine.url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/database-broken")
    def database_broken():
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    client = _signed_in_client(app, db)
    _database_down(monkeypatch, Exception("disk I/O error"))
    response = client.get("/database-broken")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.text
    assert 'href="/exit"' in response.text  # the site's own page, with its way out


def test_a_connection_cut_mid_booking_says_busy_try_again(db, monkeypatch):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=db.engine.url, PROPAGATE_EXCEPTIONS=False)
    terminated = psycopg.errors.AdminShutdown("terminating connection due to administrator command")

    @app.post("/books-a-seat")
    def books_a_seat():
        raise OperationalError("UPDATE course_sessions", {}, terminated)

    client = _signed_in_client(app, db)
    _database_down(monkeypatch, terminated)
    response = client.post("/books-a-seat")
    assert response.status_code == 409
    assert "We are busy right now. Please wait a moment and try again." in response.text


def test_pooled_connections_are_checked_before_use(db):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=db.engine.url)
    with app.app_context():
        assert _db.engine.pool._pre_ping  # noqa: SLF001 - the pool keeps it private
