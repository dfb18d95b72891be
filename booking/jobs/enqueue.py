"""What a page may queue for the worker, once its transaction has committed.

Routes import this small API rather than the worker: they say what should happen next, and
the worker (booking/jobs/worker.py) decides how and when it runs.

Queuing happens after the commit, so the person's action is already saved: a queue that cannot
be reached (its Redis down) must never turn that success into an error page. Work whose rows
are in the database is only logged here and left for the worker's sweep, which finds every
refund still waiting to be sent (``send_leftover_refunds``) and every message still unsent.
"""

import logging

from booking.jobs import worker

log = logging.getLogger(__name__)


def send_refunds_after_commit(refund_ids: list[int] | None) -> bool:
    """Send the refunds just committed to Stripe (None: every refund waiting to be sent).
    Returns False when the queue could not take them: the refund rows wait for the sweep."""
    try:
        worker.send_refunds_after_commit(refund_ids)
    except Exception:  # noqa: BLE001 - saved already; the sweep sends what is still requested
        log.warning(
            "Could not queue refunds %s; the sweep will send them", refund_ids, exc_info=True
        )
        return False
    return True


def run_allocation(run_id: int) -> None:
    """Solve a trainer allocation run that has just been committed as queued. Raises when the
    queue cannot take it: the caller marks the run failed so its page says to try again."""
    worker.run_allocation(run_id)
