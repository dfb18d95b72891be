"""The floor: a bare Flask app whose one endpoint runs ``SELECT 1`` through SQLAlchemy.

Served by the same gunicorn settings as Waypoint, it shows what this machine, server and
database can do at best, so Waypoint's figures read as a fraction of it.
"""

import os

from flask import Flask
from sqlalchemy import create_engine, text

from booking.web import query_count

engine = create_engine(os.environ["DATABASE_URL"])
app = Flask(__name__)

if os.environ.get("BENCH_COUNT_QUERIES") == "1":
    query_count.install(app, engine)


@app.get("/floor")
def floor():
    """One round trip to the database, nothing else."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1")).scalar_one()
    return "ok"
