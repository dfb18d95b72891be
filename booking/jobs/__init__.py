"""Work done after a commit, off the request: the worker and its timetable, the outbox's
delivery, refunds to Stripe, allocation runs, outcome webhooks, retention."""
