"""Imports every domain's tables so that metadata (and Alembic) sees the whole schema."""

from kenzen.appeals.models import Appeal, AppealDecision, AppealVersion, Attachment
from kenzen.audit import AuditEntry
from kenzen.cases.models import Case, CaseEntry, CaseRead
from kenzen.complaints.models import Brand, Complaint, ComplaintListing, ProtectedTerm
from kenzen.identity.models import Token, User
from kenzen.metrics.models import MetricRun, MetricSnapshot, OrderVolume
from kenzen.outbox.models import (
    Notice,
    NoticeAttempt,
    NotificationPreference,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from kenzen.policy.models import EnforcementAction, Violation
from kenzen.sellers.models import AccountStatusChange, Listing, ListingHold, Marketplace, Seller
from kenzen.support.models import AhsHours, Callback

__all__ = [
    "AccountStatusChange",
    "AhsHours",
    "Appeal",
    "AppealDecision",
    "AppealVersion",
    "Attachment",
    "AuditEntry",
    "Brand",
    "Callback",
    "Case",
    "CaseEntry",
    "CaseRead",
    "Complaint",
    "ComplaintListing",
    "EnforcementAction",
    "Listing",
    "ListingHold",
    "Marketplace",
    "MetricRun",
    "MetricSnapshot",
    "Notice",
    "NoticeAttempt",
    "NotificationPreference",
    "OrderVolume",
    "ProtectedTerm",
    "Seller",
    "Token",
    "User",
    "Violation",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
