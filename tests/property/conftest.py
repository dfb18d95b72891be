"""The machine's harness: one app for a test, and a fresh migrated database per example."""

import pytest

from booking import create_app
from config import TestConfig
from tests.property.machine import Databases


@pytest.fixture
def harness(databases, tmp_path):
    """One app for the run and a fresh migrated database per example."""
    harness = Databases(databases, tmp_path / "machine")
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=harness.url)
    with app.app_context():
        yield harness
        harness.close()
