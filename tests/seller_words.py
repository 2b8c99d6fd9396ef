"""What a seller reads of their cases, and the internal names that must never be in it."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.access import Visibility
from kenzen.cases.models import Case, CaseEntry
from kenzen.i18n import SUPPORTED
from kenzen.policy.document import Band, Policy
from kenzen.policy.rules import RuleKind, RuleRef


def internal_names(policy: Policy) -> re.Pattern[str]:
    """Every rule's name (``caps.ip_complaints``), category id
    (``receivedIntellectualPropertyComplaints``) and metric id of ``policy``: staff's words."""
    doc = policy.document
    rules = [
        *(RuleRef(RuleKind.METRIC, key) for key in doc.metrics),
        *(RuleRef(RuleKind.VIOLATION, key) for key in policy.violations),
        *(RuleRef(RuleKind.CAP, key) for key in doc.caps),
        *(RuleRef(RuleKind.CEL, key) for key in doc.rules),
        *(RuleRef(RuleKind.BAND, band.value) for band in Band),
    ]
    ids = {str(rule) for rule in rules} | set(policy.violations) | set(doc.metrics)
    names = sorted(ids, key=len, reverse=True)
    return re.compile("|".join(re.escape(name) for name in names))


def seller_reads(session: Session, seller_id: str) -> list[str]:
    """Every case title and seller-visible entry of ``seller_id``, in every language."""
    cases = session.scalars(select(Case).where(Case.seller_id == seller_id)).all()
    entries = session.scalars(
        select(CaseEntry)
        .join(Case)
        .where(Case.seller_id == seller_id, CaseEntry.visibility == Visibility.SELLER)
    ).all()
    return [
        *(case.title_in(language) for case in cases for language in SUPPORTED),
        *(entry.text_in(language) for entry in entries for language in SUPPORTED),
    ]


def leaks(session: Session, policy: Policy, seller_id: str) -> list[str]:
    """The texts ``seller_id`` reads that name a rule, category or metric by its id."""
    pattern = internal_names(policy)
    return [text for text in seller_reads(session, seller_id) if pattern.search(text)]
