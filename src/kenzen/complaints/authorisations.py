"""Letters of authorisation after their acceptance: who reads them, and their revocation.

A letter accepted on a dispute (:func:`kenzen.complaints.disputes.decide_dispute`) stops
the brand's screening findings and complaints against the seller. A specialist revokes it
when the letter turns out withdrawn, expired or forged: from then on the brand's terms flag
the seller's listings again and its owner may complain again. The row stays, with who
revoked it, when and why; the seller reads it in the case of the dispute it was accepted on.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Scope
from kenzen.complaints.models import Brand, BrandAuthorisation, Complaint, Dispute
from kenzen.complaints.owner_notices import OwnerNoticeKind, tell_owner
from kenzen.complaints.service import tell_seller
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput
from kenzen.i18n import N_, Message


def list_authorisations(
    session: Session, actor: Actor, *, standing_only: bool = False
) -> list[BrandAuthorisation]:
    """Staff see every letter; a seller its own; a rights owner those for its brands."""
    scope = access.authorize(actor, Action.LIST_BRAND_AUTHORISATIONS)
    query = select(BrandAuthorisation).join(Brand, Brand.id == BrandAuthorisation.brand_id)
    if scope is Scope.OWN:
        query = query.where(
            BrandAuthorisation.seller_id == actor.seller_id
            if actor.seller_id is not None
            else Brand.owner_id == actor.user_id
        )
    if standing_only:
        query = query.where(BrandAuthorisation.revoked_at.is_(None))
    return list(session.scalars(query.order_by(BrandAuthorisation.id)))


def revoke_authorisation(
    session: Session, actor: Actor, authorisation_id: int, *, reason: str
) -> BrandAuthorisation:
    """The letter no longer counts: screening and complaints of its brand apply to the
    seller again. The seller is told in the dispute's case, the brand's owner by notice."""
    authorisation = access.load(
        session,
        actor,
        Action.REVOKE_BRAND_AUTHORISATION,
        BrandAuthorisation,
        authorisation_id,
        missing=N_("error.not_found.letter_of_authorisation"),
    )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("error.complaints.reason_say_why_seller_rights_owner"))
    if authorisation.revoked_at is not None:
        raise Conflict(
            N_("error.complaints.letter_authorisation_already_revoked"),
            authorisation_id=authorisation_id,
        )
    authorisation.revoked_at = utcnow()
    authorisation.revoked_by = actor.label
    authorisation.revocation_reason = reason
    session.flush()
    dispute = session.get_one(Dispute, authorisation.dispute_id)
    complaint: Complaint = dispute.complaint
    tell_seller(
        session,
        complaint,
        Message(
            N_("entry.authorisation_revoked"),
            {"brand": authorisation.brand.name, "reason": reason},
        ),
    )
    tell_owner(session, complaint, OwnerNoticeKind.AUTHORISATION_REVOKED, {"reason": reason})
    session.add(
        access.record(
            actor,
            Action.REVOKE_BRAND_AUTHORISATION,
            f"seller:{authorisation.seller_id}",
            {
                "authorisation_id": authorisation.id,
                "brand_id": authorisation.brand_id,
                "reason": reason,
            },
        )
    )
    return authorisation
