"""A lock wait that runs out anywhere is a calm "busy, try again", never a server error."""

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from booking import create_app
from config import TestConfig


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
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    assert app.test_client().get("/database-gone").status_code == 500
