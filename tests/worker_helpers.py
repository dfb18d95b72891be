"""Holding the worker's tasks in a queue, as a real worker would, until a test runs them."""

import pytest
from huey.storage import MemoryStorage

from booking.jobs import worker


@pytest.fixture
def queued(app):
    """Tasks wait in a queue, as with a real worker, until the test runs them."""
    worker.huey.immediate = False
    worker.huey.storage = MemoryStorage(worker.QUEUE_NAME)
    yield worker.huey
    worker.configure_queue(app)


def run_queued_tasks(huey) -> int:
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran
