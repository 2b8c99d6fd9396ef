"""Imports every domain's tables so that metadata (and Alembic) sees the whole schema."""

from kenzen.appeals.models import Appeal, AppealDecision, AppealVersion, Attachment
from kenzen.assurance.models import AssuranceHold
from kenzen.audit import AuditEntry
from kenzen.cases.models import Case, CaseEntry, CaseRead
from kenzen.complaints.models import (
    Brand,
    BrandAuthorisation,
    Complaint,
    ComplaintFile,
    ComplaintListing,
    Dispute,
    ListingMention,
    ProtectedTerm,
    RetractionRequest,
)
from kenzen.deadlines.models import DeadlineAlert
from kenzen.events.models import PendingPublication
from kenzen.identity.models import Token, User
from kenzen.metrics.models import LatestSellerMetrics, MetricRun
from kenzen.outbox.models import (
    Notice,
    NoticeAttempt,
    NotificationPreference,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from kenzen.policy.models import (
    AssuranceEligibility,
    EnforcementAction,
    EnforcementProposal,
    EvaluationDay,
    ProposalReview,
    Violation,
)
from kenzen.sellers.models import (
    AccountStatusChange,
    EvaluationMark,
    Listing,
    ListingHold,
    Marketplace,
    Seller,
)
from kenzen.spapi.models import (
    AccessToken,
    App,
    AppAuthorization,
    Destination,
    DocumentLink,
    Report,
    ReportDocument,
    Subscription,
)
from kenzen.support.models import AhsHours, Callback

__all__ = [
    "AccessToken",
    "AccountStatusChange",
    "AhsHours",
    "App",
    "AppAuthorization",
    "Appeal",
    "AppealDecision",
    "AppealVersion",
    "AssuranceEligibility",
    "AssuranceHold",
    "Attachment",
    "AuditEntry",
    "Brand",
    "BrandAuthorisation",
    "Callback",
    "Case",
    "CaseEntry",
    "CaseRead",
    "Complaint",
    "ComplaintFile",
    "ComplaintListing",
    "DeadlineAlert",
    "Destination",
    "Dispute",
    "DocumentLink",
    "EnforcementAction",
    "EnforcementProposal",
    "EvaluationDay",
    "EvaluationMark",
    "LatestSellerMetrics",
    "Listing",
    "ListingHold",
    "ListingMention",
    "Marketplace",
    "MetricRun",
    "Notice",
    "NoticeAttempt",
    "NotificationPreference",
    "PendingPublication",
    "ProposalReview",
    "ProtectedTerm",
    "Report",
    "ReportDocument",
    "RetractionRequest",
    "Seller",
    "Subscription",
    "Token",
    "User",
    "Violation",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
