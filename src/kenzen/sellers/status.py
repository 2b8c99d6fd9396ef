"""The legal account status transitions, as plain data (tested without a database)."""

from __future__ import annotations

import enum

from kenzen.errors import Conflict
from kenzen.i18n import N_, labels


class AccountStatus(enum.StrEnum):
    """The statuses of SP-API's ``accountStatuses[].status``."""

    NORMAL = "NORMAL"
    AT_RISK = "AT_RISK"
    DEACTIVATED = "DEACTIVATED"


#: The status as a seller reads it, and what it means for them (message ids).
STATUS_NAMES = labels(
    AccountStatus,
    {
        AccountStatus.NORMAL: N_("status.NORMAL"),
        AccountStatus.AT_RISK: N_("status.AT_RISK"),
        AccountStatus.DEACTIVATED: N_("status.DEACTIVATED"),
    },
)
STATUS_MEANINGS = labels(
    AccountStatus,
    {
        AccountStatus.NORMAL: N_("status.NORMAL.meaning"),
        AccountStatus.AT_RISK: N_("status.AT_RISK.meaning"),
        AccountStatus.DEACTIVATED: N_("status.DEACTIVATED.meaning"),
    },
)


LEGAL_TRANSITIONS: dict[AccountStatus, frozenset[AccountStatus]] = {
    AccountStatus.NORMAL: frozenset({AccountStatus.AT_RISK, AccountStatus.DEACTIVATED}),
    AccountStatus.AT_RISK: frozenset({AccountStatus.NORMAL, AccountStatus.DEACTIVATED}),
    # Reinstatement restores a normal account; "at risk" is a warning, not a way back.
    AccountStatus.DEACTIVATED: frozenset({AccountStatus.NORMAL}),
}


def check_transition(current: AccountStatus, new: AccountStatus) -> None:
    if new == current:
        raise Conflict(N_("error.sellers.account_already_in_status"), current=current.value)
    if new not in LEGAL_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in LEGAL_TRANSITIONS[current]))
        raise Conflict(
            N_("error.sellers.transition_not_allowed"),
            current=current.value,
            new=new.value,
            allowed=allowed,
        )
