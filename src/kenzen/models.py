"""Imports every domain's tables so that metadata (and Alembic) sees the whole schema."""

from kenzen.audit import AuditEntry
from kenzen.cases.models import Case, CaseEntry
from kenzen.identity.models import Token, User
from kenzen.metrics.models import MetricRun, MetricSnapshot
from kenzen.sellers.models import AccountStatusChange, Listing, Marketplace, Seller

__all__ = [
    "AccountStatusChange",
    "AuditEntry",
    "Case",
    "CaseEntry",
    "Listing",
    "Marketplace",
    "MetricRun",
    "MetricSnapshot",
    "Seller",
    "Token",
    "User",
]
