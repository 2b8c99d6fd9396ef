"""Account status transitions, as plain data."""

from __future__ import annotations

import pytest

from kenzen.errors import Conflict
from kenzen.sellers.status import AccountStatus, check_transition

NORMAL, AT_RISK, DEACTIVATED = AccountStatus


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (NORMAL, AT_RISK),
        (NORMAL, DEACTIVATED),
        (AT_RISK, NORMAL),
        (AT_RISK, DEACTIVATED),
        (DEACTIVATED, NORMAL),
    ],
)
def test_legal_transitions(current: AccountStatus, new: AccountStatus) -> None:
    check_transition(current, new)


def test_reinstatement_goes_to_normal_not_at_risk() -> None:
    with pytest.raises(Conflict, match=r"cannot go from DEACTIVATED to AT_RISK; .* NORMAL"):
        check_transition(DEACTIVATED, AT_RISK)


@pytest.mark.parametrize("status", list(AccountStatus))
def test_setting_the_same_status_is_a_conflict(status: AccountStatus) -> None:
    with pytest.raises(Conflict, match=f"already {status.value}"):
        check_transition(status, status)
