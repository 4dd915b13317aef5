"""`cakap worker`: the Huey consumer with every domain's tasks loaded."""

from __future__ import annotations

import importlib

TASK_MODULES = (
    "app.assignments.tasks",
    "app.backup.tasks",
    "app.certificates.tasks",
    "app.mail.tasks",
    "app.password_reset.tasks",
    "app.people.tasks",
    "app.privacy.tasks",
)


def load_tasks() -> None:
    for name in TASK_MODULES:
        importlib.import_module(name)


def run(*, threads: int, once: bool) -> int:
    from app.jobs.queue import huey, run_pending

    load_tasks()
    if once:
        return run_pending()
    import logging

    from huey.consumer import Consumer

    # Each job's start and end in the log (no personal data: jobs take ids, not names).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # An idle worker polls the queue at most every second (Huey's default backs off to 10 s):
    # a learner waiting for her certificate should not wait on the poll.
    Consumer(
        huey,
        workers=threads,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
        initial_delay=0.1,
        backoff=1.15,
        max_delay=1.0,
    ).run()
    return 0
