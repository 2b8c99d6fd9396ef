"""The legal account status transitions, as plain data (tested without a database)."""

from __future__ import annotations

import enum

from kenzen.errors import Conflict


class AccountStatus(enum.StrEnum):
    """The statuses of SP-API's ``accountStatuses[].status``."""

    NORMAL = "NORMAL"
    AT_RISK = "AT_RISK"
    DEACTIVATED = "DEACTIVATED"


LEGAL_TRANSITIONS: dict[AccountStatus, frozenset[AccountStatus]] = {
    AccountStatus.NORMAL: frozenset({AccountStatus.AT_RISK, AccountStatus.DEACTIVATED}),
    AccountStatus.AT_RISK: frozenset({AccountStatus.NORMAL, AccountStatus.DEACTIVATED}),
    # Reinstatement restores a normal account; "at risk" is a warning, not a way back.
    AccountStatus.DEACTIVATED: frozenset({AccountStatus.NORMAL}),
}


def check_transition(current: AccountStatus, new: AccountStatus) -> None:
    if new == current:
        raise Conflict(f"the account is already {current.value}")
    if new not in LEGAL_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in LEGAL_TRANSITIONS[current]))
        raise Conflict(
            f"an account cannot go from {current.value} to {new.value}; "
            f"from {current.value} it may go to {allowed}"
        )
