"""Background work: the queue (Huey), the worker, and the job records people follow."""
