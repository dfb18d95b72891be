"""`make bench`: a large dataset, gunicorn, load from another process, and a report."""
