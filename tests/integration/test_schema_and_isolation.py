"""The migrated schema matches the models, and no rows leak from one test to the next."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from booking.models import PoliceForce
from booking.models.base import Base, UTCDateTime


def _render_utc(type_, obj, autogen_context):
    return "sa.DateTime(timezone=True)" if isinstance(obj, UTCDateTime) else False


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_item": _render_utc}
        )
        differences = compare_metadata(context, Base.metadata)
    assert [d for d in differences if not _trigram_index(d)] == []


def _trigram_index(difference) -> bool:
    """PostgreSQL's trigram indexes for staff search live in the migration only: SQLite has none,
    and the models cannot name an index that only one database has."""
    kind, item = difference[0], difference[1]
    return kind == "remove_index" and item.name.endswith("_trgm")


@pytest.mark.parametrize("attempt", [1, 2])
def test_canary_no_rows_leak_between_tests(db, attempt):
    assert db.session.query(PoliceForce).filter_by(slug="canary").count() == 0
    db.session.add(PoliceForce(slug="canary", name=f"Canary {attempt}", is_partner=False))
    db.session.commit()  # committed for real: the next test must still not see it
    assert db.session.query(PoliceForce).filter_by(slug="canary").count() == 1
