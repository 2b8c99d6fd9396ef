"""Imports every domain's tables so that metadata (and Alembic) sees the whole schema."""

from kenzen.audit import AuditEntry
from kenzen.cases.models import Case, CaseEntry
from kenzen.complaints.models import Brand, Complaint, ComplaintListing, ProtectedTerm
from kenzen.identity.models import Token, User
from kenzen.metrics.models import MetricRun, MetricSnapshot, OrderVolume
from kenzen.policy.models import EnforcementAction, Violation
from kenzen.sellers.models import AccountStatusChange, Listing, Marketplace, Seller

__all__ = [
    "AccountStatusChange",
    "AuditEntry",
    "Brand",
    "Case",
    "CaseEntry",
    "Complaint",
    "ComplaintListing",
    "EnforcementAction",
    "Listing",
    "Marketplace",
    "MetricRun",
    "MetricSnapshot",
    "OrderVolume",
    "ProtectedTerm",
    "Seller",
    "Token",
    "User",
    "Violation",
]
