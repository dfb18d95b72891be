"""What a page may queue for the worker, once its transaction has committed.

Routes import this small API rather than the worker: they say what should happen next, and
the worker (booking/jobs/worker.py) decides how and when it runs.
"""

from booking.jobs import worker


def send_refunds_after_commit(refund_ids: list[int] | None) -> None:
    """Send the refunds just committed to Stripe (None: every refund waiting to be sent)."""
    worker.send_refunds_after_commit(refund_ids)


def run_allocation(run_id: int) -> None:
    """Solve a trainer allocation run that has just been committed as queued."""
    worker.run_allocation(run_id)
