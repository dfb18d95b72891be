"""CPU time spent serving a target: the app's gunicorn processes plus the PostgreSQL backends
connected to the bench database, read from /proc before and after the measured window.

Requests per second on a machine shared with other work say as much about the neighbours as
about the app; CPU per request does not. The database's share is counted too, so moving work
from Python into SQL is not mistaken for making it cheaper.
"""

import os
from pathlib import Path

from sqlalchemy import create_engine, text

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in brackets and may hold spaces: split after its closing bracket.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU of ``pids`` (processes gone are counted as nothing)."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14 and 15)
    return total / TICKS


def children(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (gunicorn's workers)."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def database_backends(url: str) -> list[int]:
    """PostgreSQL backends connected to the database at ``url`` (none for SQLite, or for a
    server on another machine, whose processes this one cannot read)."""
    if not url.startswith("postgresql"):
        return []
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            pids = connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
    finally:
        engine.dispose()
    return [pid for pid in pids if (PROC / str(pid)).exists()]


class Meter:
    """CPU of one app server (its master and workers) and its database, between two readings."""

    def __init__(self, server_pid: int, database_url: str) -> None:
        self.server_pid, self.database_url = server_pid, database_url
        self._pids: list[int] = []
        self._started = 0.0

    def start(self) -> None:
        # Read the backends once the warm-up has opened the workers' pooled connections.
        self._pids = [
            self.server_pid,
            *children(self.server_pid),
            *database_backends(self.database_url),
        ]
        self._started = cpu_seconds(self._pids)

    def stop(self) -> float:
        """CPU seconds used since ``start``."""
        return cpu_seconds(self._pids) - self._started


def per_request_ms(cpu: float, requests: int) -> float | None:
    return 1000 * cpu / requests if requests else None
