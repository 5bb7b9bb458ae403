"""Background jobs: queued in the transaction of a write, run by workers, retried.

- ``queue``: the jobs of the service and ``enqueue(db, event, payload)``;
- ``worker``: claims due jobs under a lease, runs them, retries with backoff, buries;
- ``engines``: the worker of JOBS_ENGINE, the table worker or pgqueuer's (``pgq``);
- ``handlers``: what each job does (yours to edit);
- ``mail``: the mail sender handlers use, by default the mail outbox table.
"""
