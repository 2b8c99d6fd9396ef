"""Domain errors. Routes and commands map them to HTTP statuses and exit codes in one place."""

from __future__ import annotations


class KenzenError(Exception):
    """Base of every error a user can cause; its message is shown to them as is.

    ``audit`` carries the trace of an attempt that must be logged although it failed (the
    audit entry of a denied access, made by ``kenzen.access``); the unit of work adds it in a
    transaction of its own after rolling the use case back. This module, the lowest of all,
    needs to know no more of it than that a session can add it.
    """

    def __init__(self, message: str, *, audit: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.audit = audit


class NotFound(KenzenError):
    """The thing does not exist, or the actor may not know that it exists."""


class Forbidden(KenzenError):
    """The actor's role may not perform the action."""


class Conflict(KenzenError):
    """The action is not legal in the current state (illegal transition, duplicate)."""


class InvalidInput(KenzenError):
    """A value is wrong; the message names the field."""


class Unauthenticated(KenzenError):
    """No valid credentials were presented."""


class TooManyAttempts(KenzenError):
    """Too many failed attempts; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, message: str, *, retry_after: int, audit: object | None = None) -> None:
        super().__init__(message, audit=audit)
        self.retry_after = retry_after
