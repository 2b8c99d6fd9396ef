"""What a rights owner is told about its complaints, through the outbox like a seller's notices.

A rights owner has no cases: each notice carries its own message (an id with values, put
into words in the owner's language when it is sent or read), queued in the transaction of
the change it reports, so the owner is told exactly what happened, once. The owner is told
when its complaint is retracted (a confirmation), found invalid or upheld by a specialist,
held for a specialist because of its record (EU DSA Art. 23) and let count after that, when
a seller asks it to retract, and when a seller's letter of authorisation for its brand is
revoked.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from sqlalchemy.orm import Session

from kenzen.complaints.models import Complaint
from kenzen.db import utcnow
from kenzen.i18n import N_, Message, Param, labels
from kenzen.identity.models import User
from kenzen.languages import Language
from kenzen.outbox import queue as outbox
from kenzen.outbox.models import Notice
from kenzen.sellers.models import Marketplace, Seller


class OwnerNoticeKind(enum.StrEnum):
    COMPLAINT_RETRACTED = "complaint_retracted"
    COMPLAINT_INVALID = "complaint_invalid"
    COMPLAINT_UPHELD = "complaint_upheld"
    COMPLAINT_HELD = "complaint_held"
    HELD_COMPLAINT_COUNTS = "held_complaint_counts"
    RETRACTION_REQUESTED = "retraction_requested"
    AUTHORISATION_REVOKED = "authorisation_revoked"


#: The message each kind says (its values: complaint, brand, seller, and the kind's own).
OWNER_MESSAGES = labels(
    OwnerNoticeKind,
    {
        OwnerNoticeKind.COMPLAINT_RETRACTED: N_("owner.complaint_retracted"),
        OwnerNoticeKind.COMPLAINT_INVALID: N_("owner.complaint_invalid"),
        OwnerNoticeKind.COMPLAINT_UPHELD: N_("owner.complaint_upheld"),
        OwnerNoticeKind.COMPLAINT_HELD: N_("owner.complaint_held"),
        OwnerNoticeKind.HELD_COMPLAINT_COUNTS: N_("owner.held_complaint_counts"),
        OwnerNoticeKind.RETRACTION_REQUESTED: N_("owner.retraction_requested"),
        OwnerNoticeKind.AUTHORISATION_REVOKED: N_("owner.authorisation_revoked"),
    },
)


def tell_owner(
    session: Session,
    complaint: Complaint,
    kind: OwnerNoticeKind,
    values: Mapping[str, Param] | None = None,
) -> Notice:
    """Queue the notice of ``kind`` about ``complaint`` to its rights owner, in the owner's
    language (or the marketplace's, when the owner chose none), sent from the marketplace
    the complaint's seller is in."""
    owner = session.get_one(User, complaint.owner_id)
    seller = session.get_one(Seller, complaint.seller_id)
    marketplace = session.get_one(Marketplace, seller.marketplace_id)
    language = (
        Language(owner.language)
        if owner.language in {member.value for member in Language}
        else marketplace.language
    )
    message = Message(
        OWNER_MESSAGES[kind],
        {
            "complaint": complaint.id,
            "brand": complaint.brand.name,
            "seller": complaint.seller_id,
            **(values or {}),
        },
    )
    return outbox.queue_owner_notice(
        session,
        outbox.OwnerAddressee(
            user_id=owner.id, marketplace_id=marketplace.id, email=owner.email, language=language
        ),
        kind=kind.value,
        message=message,
        at=utcnow(),
    )
