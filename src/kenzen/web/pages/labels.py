"""The message id that names each value a page shows (a status, a role, a kind …).

Written out one by one, so ``pybabel extract`` finds every id and the catalogue test can
check them; ``i18n.labels`` refuses at import a table that forgets a member of its enum.
"""

from __future__ import annotations

from typing import Final

from kenzen.access import Role, Visibility
from kenzen.appeals.models import AppealStatus, AttachmentKind
from kenzen.assurance.hold import HoldState
from kenzen.cases.models import CaseStatus
from kenzen.complaints.models import (
    COMPLAINT_STATUS_NAMES,
    DISPUTE_REASON_NAMES,
    DISPUTE_STATUS_NAMES,
    KIND_NAMES,
    RETRACTION_STATUS_NAMES,
)
from kenzen.i18n import N_, labels
from kenzen.notify.verify import Verdict
from kenzen.policy.document import ACTION_NAMES, Band, ReviewMode
from kenzen.policy.models import ProposalStatus
from kenzen.policy.models import Verdict as ProposalVerdict
from kenzen.sellers.status import STATUS_MEANINGS, STATUS_NAMES
from kenzen.support.models import OUTCOME_NAMES, CallbackStatus

ACCOUNT_STATUS: Final = STATUS_NAMES
STATUS_MEANING: Final = STATUS_MEANINGS
COMPLAINT_KIND: Final = KIND_NAMES
DISPUTE_REASON: Final = DISPUTE_REASON_NAMES
COMPLAINT_STATUS: Final = COMPLAINT_STATUS_NAMES
DISPUTE_STATUS: Final = DISPUTE_STATUS_NAMES
RETRACTION_STATUS: Final = RETRACTION_STATUS_NAMES

ROLE: Final = labels(
    Role,
    {
        Role.SELLER: N_("ui.role.seller"),
        Role.RIGHTS_OWNER: N_("ui.role.rights_owner"),
        Role.AHS_AGENT: N_("ui.role.ahs_agent"),
        Role.ACCOUNT_SPECIALIST: N_("ui.role.account_specialist"),
        Role.ADMIN: N_("ui.role.admin"),
        Role.SYSTEM: N_("ui.role.system"),
        Role.SELLING_PARTNER_APP: N_("ui.role.selling_partner_app"),
    },
)

#: Who wrote a case entry, as the timeline names them (the system is "the marketplace").
AUTHOR: Final = labels(
    Role,
    {
        Role.SELLER: N_("ui.author.seller"),
        Role.RIGHTS_OWNER: N_("ui.author.rights_owner"),
        Role.AHS_AGENT: N_("ui.author.ahs_agent"),
        Role.ACCOUNT_SPECIALIST: N_("ui.author.account_specialist"),
        Role.ADMIN: N_("ui.author.admin"),
        Role.SYSTEM: N_("ui.author.system"),
        Role.SELLING_PARTNER_APP: N_("ui.author.selling_partner_app"),
    },
)

#: The pill on an entry only one department reads (seller-visible entries carry none).
INTERNAL: Final = {
    Visibility.AHS: N_("ui.internal.ahs"),
    Visibility.SELLER_PERFORMANCE: N_("ui.internal.seller_performance"),
}

BAND: Final = labels(
    Band,
    {
        Band.HEALTHY: N_("ui.band.HEALTHY"),
        Band.AT_RISK: N_("ui.band.AT_RISK"),
        Band.UNHEALTHY: N_("ui.band.UNHEALTHY"),
    },
)

#: A metric's status (``GOOD``, ``BAD``, ``NONE``) and target condition, as the engine writes them.
METRIC_STATUS: Final = {
    "GOOD": N_("ui.metric_status.GOOD"),
    "BAD": N_("ui.metric_status.BAD"),
    "NONE": N_("ui.metric_status.NONE"),
}
TARGET: Final = {
    "LESS_THAN": N_("ui.target.LESS_THAN"),
    "GREATER_THAN": N_("ui.target.GREATER_THAN"),
}

#: Enforcement proposals: the action proposed, who decides, where it stands, a verdict.
ACTION: Final = ACTION_NAMES
REVIEW_MODE: Final = labels(
    ReviewMode,
    {
        ReviewMode.AUTOMATIC: N_("ui.review.automatic"),
        ReviewMode.SPECIALIST: N_("ui.review.specialist"),
        ReviewMode.FOUR_EYES: N_("ui.review.four_eyes"),
    },
)
PROPOSAL_STATUS: Final = labels(
    ProposalStatus,
    {
        ProposalStatus.PENDING: N_("ui.proposal.PENDING"),
        ProposalStatus.CONFIRMED: N_("ui.proposal.CONFIRMED"),
        ProposalStatus.REJECTED: N_("ui.proposal.REJECTED"),
        ProposalStatus.WITHDRAWN: N_("ui.proposal.WITHDRAWN"),
    },
)

HOLD_STATE: Final = labels(
    HoldState,
    {
        HoldState.WAITING_FOR_SELLER: N_("ui.hold.WAITING_FOR_SELLER"),
        HoldState.WORKING_WITH_US: N_("ui.hold.WORKING_WITH_US"),
        HoldState.WAITING_FOR_CONTACT: N_("ui.hold.WAITING_FOR_CONTACT"),
        HoldState.RELEASED: N_("ui.hold.RELEASED"),
    },
)
"""What the seller reads about its deactivation on hold."""

HOLD_STATE_STAFF: Final = labels(
    HoldState,
    {
        HoldState.WAITING_FOR_SELLER: N_("ui.hold_staff.WAITING_FOR_SELLER"),
        HoldState.WORKING_WITH_US: N_("ui.hold_staff.WORKING_WITH_US"),
        HoldState.WAITING_FOR_CONTACT: N_("ui.hold_staff.WAITING_FOR_CONTACT"),
        HoldState.RELEASED: N_("ui.hold_staff.RELEASED"),
    },
)
"""What specialists and AHS read about it."""

PROPOSAL_VERDICT: Final = labels(
    ProposalVerdict,
    {
        ProposalVerdict.CONFIRM: N_("ui.verdict.CONFIRM"),
        ProposalVerdict.REJECT: N_("ui.verdict.REJECT"),
    },
)

CASE_STATUS: Final = labels(
    CaseStatus,
    {
        CaseStatus.OPEN: N_("ui.case_status.OPEN"),
        CaseStatus.AWAITING_SELLER: N_("ui.case_status.AWAITING_SELLER"),
        CaseStatus.UNDER_REVIEW: N_("ui.case_status.UNDER_REVIEW"),
        CaseStatus.RESOLVED: N_("ui.case_status.RESOLVED"),
        CaseStatus.CLOSED: N_("ui.case_status.CLOSED"),
    },
)

APPEAL_STATUS: Final = labels(
    AppealStatus,
    {
        AppealStatus.DRAFT: N_("ui.appeal.DRAFT"),
        AppealStatus.SUBMITTED: N_("ui.appeal.SUBMITTED"),
        AppealStatus.UNDER_REVIEW: N_("ui.appeal.UNDER_REVIEW"),
        AppealStatus.ACCEPTED: N_("ui.appeal.ACCEPTED"),
        AppealStatus.REJECTED: N_("ui.appeal.REJECTED"),
        AppealStatus.MORE_INFO_REQUESTED: N_("ui.appeal.MORE_INFO_REQUESTED"),
    },
)

EVIDENCE_KIND: Final = labels(
    AttachmentKind,
    {
        AttachmentKind.INVOICE: N_("ui.kind.invoice"),
        AttachmentKind.LETTER_OF_AUTHORISATION: N_("ui.kind.letter_of_authorisation"),
        AttachmentKind.OTHER: N_("ui.kind.other"),
    },
)

#: The checker's severities (``appeals.checker.Severity``).
SEVERITY: Final = {
    "error": N_("ui.severity.error"),
    "warning": N_("ui.severity.warning"),
    "info": N_("ui.severity.info"),
}

CALL_STATUS: Final = labels(
    CallbackStatus,
    {
        CallbackStatus.BOOKED: N_("ui.call_status.BOOKED"),
        CallbackStatus.CLAIMED: N_("ui.call_status.CLAIMED"),
        CallbackStatus.COMPLETED: N_("ui.call_status.COMPLETED"),
        CallbackStatus.CANCELLED: N_("ui.call_status.CANCELLED"),
    },
)

CALL_OUTCOME: Final = OUTCOME_NAMES

VERDICT: Final = labels(
    Verdict,
    {Verdict.GENUINE: N_("verify.GENUINE"), Verdict.SUSPICIOUS: N_("verify.SUSPICIOUS")},
)

#: The heading of an error page, by HTTP status.
ERROR: Final = {
    403: N_("ui.error.403"),
    404: N_("ui.error.404"),
    409: N_("ui.error.409"),
    422: N_("ui.error.422"),
}
