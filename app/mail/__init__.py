"""E-mail: an outbox written in the transaction of what it reports, delivered by the worker."""
