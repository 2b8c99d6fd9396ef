"""The seller's assessment as the pages and the API show it, kept in each serving process.

Assessing a seller reads its metrics, violations, order volume and Assurance eligibility,
then evaluates the policy's conditions: most of a ``getSellerHealth`` request. The result
depends on nothing else than those facts, the policy and the day, so it is kept under the
seller's :attr:`~kenzen.sellers.models.Seller.facts_stamp` (renewed in the transaction of
every change of those facts, :func:`kenzen.sellers.marks.renew_facts_stamp`), the policy's
version and the day. The stamp is read with the seller, before the facts: a process that
finds a stamp it kept has the facts of that stamp, and one that finds a new stamp (a
complaint just filed, the evaluation it caused) assesses again — in every process at once,
since the stamp is in the database. Evaluation itself never reads from here.
"""

from __future__ import annotations

import threading
from datetime import date

from cachetools import LRUCache

from kenzen import clock
from kenzen.policy.assessment import Assessment
from kenzen.policy.document import Policy
from kenzen.policy.facts import FactRecords, SellerRecord, assess_seller

#: Assessments a process keeps (one per seller and day asked for; about 10 kB each).
CACHED_ASSESSMENTS = 2048

_Key = tuple[str, str, str, date]
_kept: LRUCache[_Key, Assessment] = LRUCache(CACHED_ASSESSMENTS)
_lock = threading.Lock()


def local_today(seller: SellerRecord) -> date:
    """Today in the seller's marketplace: the day its assessment describes."""
    return clock.today(seller.marketplace.time_zone)


def current_assessment(
    records: FactRecords, policy: Policy, seller: SellerRecord, as_of: date
) -> Assessment:
    """:func:`~kenzen.policy.facts.assess_seller`, kept by the seller's facts stamp.
    ``seller`` was read in this transaction by a reader the caller authorised."""
    key = (seller.id, seller.facts_stamp, policy.version, as_of)
    with _lock:
        found = _kept.get(key)
    if found is None:
        found = assess_seller(records, policy, seller, as_of)
        with _lock:
            _kept[key] = found
    return found
