"""Who is calling, read in one query: enough to authorise a request and draw the page frame."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    """An immutable snapshot of the logged-in user behind a session.

    Pages that only need to know who is asking (a learner reading a lesson) use this instead
    of loading the whole account; it also outlives the request's database session, so an error
    page rendered after a rollback can still show the navigation."""

    id: int
    name: str
    roles: frozenset[str]
    instansi_id: int | None
    must_change_password: bool
    privacy_accepted: bool

    def has_role(self, *names: str) -> bool:
        return bool(self.roles.intersection(names))
