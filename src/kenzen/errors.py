"""Domain errors. Routes and commands map them to HTTP statuses and exit codes in one place.

An error carries a message id (``N_("error.case_closed")``, so ``make translations`` finds it)
and its values, not words: whoever shows it to a person puts it into their language
(``error.in_language(language)``: the API and pages in the reader's, the CLI in
``KENZEN_LANG``'s), and ``error.message`` — what logs, the audit trail and tests read — is
its English wording, which stays stable.
"""

from __future__ import annotations

from kenzen.i18n import DEFAULT, Message, Param


class KenzenError(Exception):
    """Base of every error a user can cause; its message is shown to them in their language.

    ``audit`` carries the trace of an attempt that must be logged although it failed (the
    audit entry of a denied access, made by ``kenzen.access``); the unit of work adds it in a
    transaction of its own after rolling the use case back. This module, the lowest of all,
    needs to know no more of it than that a session can add it.
    """

    def __init__(
        self, message: str | Message, /, *, audit: object | None = None, **values: Param
    ) -> None:
        self.text = message if isinstance(message, Message) else Message(message, values)
        super().__init__(self.text.id)
        self.audit = audit

    @property
    def message(self) -> str:
        """The English wording (logs, the audit trail, English readers)."""
        return self.in_language(DEFAULT)

    def in_language(self, language: str) -> str:
        return self.text.render(language)

    def __str__(self) -> str:
        return self.message


class NotFound(KenzenError):
    """The thing does not exist, or the actor may not know that it exists."""


class Forbidden(KenzenError):
    """The actor's role may not perform the action."""


class Conflict(KenzenError):
    """The action is not legal in the current state (illegal transition, duplicate)."""


class InvalidInput(KenzenError):
    """A value is wrong; the message names the field (the same name in every language)."""


class Unauthenticated(KenzenError):
    """No valid credentials were presented."""


class TooManyAttempts(KenzenError):
    """Too many failed attempts; ``retry_after`` says in how many seconds to try again."""

    def __init__(
        self, message: str, /, *, retry_after: int, audit: object | None = None, **values: Param
    ) -> None:
        super().__init__(message, audit=audit, **values)
        self.retry_after = retry_after
