"""Who may do what — the single place where permissions are decided.

``PERMISSIONS`` is the whole (role, action) table. A missing pair is a refusal (403). A pair
with scope ``OWN`` lets a seller user act on its own seller only; asking about any other
seller answers 404, exactly as for a seller that does not exist, so existence never leaks.
Every refusal is audited.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from kenzen.errors import Forbidden, KenzenError, NotFound
from kenzen.i18n import N_, Message

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kenzen.audit import AuditEntry


class Role(enum.StrEnum):
    SELLER = "seller"
    RIGHTS_OWNER = "rights_owner"
    AHS_AGENT = "ahs_agent"
    ACCOUNT_SPECIALIST = "account_specialist"
    ADMIN = "admin"
    SYSTEM = "system"
    """Kenzen itself (evaluation runs) and the local operator at the command line."""
    SELLING_PARTNER_APP = "selling_partner_app"
    """A seller's tool calling the SP-API-compatible endpoints with an access token: it
    acts for the one seller that authorised it (or for itself, for grantless calls)."""


class Action(enum.StrEnum):
    """One member per operation; API actions carry their OpenAPI operationId."""

    WHO_AM_I = "whoAmI"
    GET_SELLER_HEALTH = "getSellerHealth"
    SET_ACCOUNT_STATUS = "setAccountStatus"
    SET_EMERGENCY_CONTACT = "setEmergencyContact"
    GET_ASSURANCE_STATUS = "getAssuranceStatus"
    LIST_CASES = "listCases"
    GET_CASE = "getCase"
    ADD_CASE_NOTE = "addCaseNote"
    ADD_MARKETPLACE = "addMarketplace"
    ADD_SELLER = "addSeller"
    ADD_LISTING = "addListing"
    ADD_USER = "addUser"
    CREATE_TOKEN = "createToken"  # noqa: S105 - an action name, not a secret
    REVOKE_TOKEN = "revokeToken"  # noqa: S105 - an action name, not a secret
    LOAD_DEMO = "loadDemo"
    IMPORT_EVENTS = "importEvents"
    COMPUTE_METRICS = "computeMetrics"
    REGISTER_BRAND = "registerBrand"
    LIST_BRANDS = "listBrands"
    FILE_COMPLAINT = "fileComplaint"
    RETRACT_COMPLAINT = "retractComplaint"
    LIST_COMPLAINTS = "listComplaints"
    ADD_COMPLAINT_FILE = "addComplaintFile"
    SEARCH_LISTINGS = "searchListings"
    DISPUTE_COMPLAINT = "disputeComplaint"
    ADD_DISPUTE_FILE = "addDisputeFile"
    LIST_DISPUTES = "listDisputes"
    DECIDE_DISPUTE = "decideDispute"
    REQUEST_RETRACTION = "requestRetraction"
    ANSWER_RETRACTION_REQUEST = "answerRetractionRequest"
    LIST_RETRACTION_REQUESTS = "listRetractionRequests"
    GET_NOTIFIER_REPUTATION = "getNotifierReputation"
    DECIDE_HELD_COMPLAINT = "decideHeldComplaint"
    LIST_BRAND_AUTHORISATIONS = "listBrandAuthorisations"
    REVOKE_BRAND_AUTHORISATION = "revokeBrandAuthorisation"
    SCREEN_LISTINGS = "screenListings"
    EVALUATE = "evaluatePolicy"
    RECORD_VIOLATION = "recordViolation"
    VERIFY_NOTICE = "verifyNotice"
    LIST_NOTICES = "listNotices"
    LIST_OWNER_NOTICES = "listOwnerNotices"
    SET_NOTIFICATION_PREFERENCES = "setNotificationPreferences"
    MANAGE_WEBHOOKS = "manageWebhooks"
    MANAGE_KEYS = "manageKeys"
    DELIVER_NOTICES = "deliverNotices"
    WATCH_DEADLINES = "deadlineMissed"
    HOLD_FOR_ASSURANCE = "holdForAssurance"
    GET_TRANSPARENCY_REPORT = "getTransparencyReport"
    SUBMIT_APPEAL = "submitAppeal"
    LIST_APPEALS = "listAppeals"
    GET_APPEAL = "getAppeal"
    CHECK_APPEAL = "checkAppeal"
    REVIEW_APPEAL = "reviewAppeal"
    DECIDE_APPEAL = "decideAppeal"
    ADD_ATTACHMENT = "addAttachment"
    GET_GUIDANCE = "getGuidance"
    REQUEST_CALLBACK = "requestCallback"
    LIST_CALLBACKS = "listCallbacks"
    CLAIM_CALLBACK = "claimCallback"
    COMPLETE_CALLBACK = "completeCallback"
    CANCEL_CALLBACK = "cancelCallback"
    GET_POLICY = "getPolicy"
    RELOAD_POLICY = "reloadPolicy"
    GET_SELLER_PERFORMANCE_REPORT = "getSellerPerformanceReport"
    SEARCH_SELLERS = "searchSellers"
    LIST_AUDIT_LOG = "listAuditLog"
    EXPORT_AUDIT_LOG = "exportAuditLog"
    GET_QUEUE_OVERVIEW = "getQueueOverview"
    READ_METRICS = "readMetrics"
    """Prometheus's scrape of /metrics: counts and times only, never a seller's data."""
    SET_LANGUAGE = "setLanguage"
    MANAGE_APPS = "manageApps"
    LIST_APPS = "listApps"
    AUTHORIZE_APP = "authorizeApp"
    LIST_APP_AUTHORIZATIONS = "listAppAuthorizations"
    REVOKE_APP_AUTHORIZATION = "revokeAppAuthorization"
    LIST_ENFORCEMENT_PROPOSALS = "listEnforcementProposals"
    GET_ENFORCEMENT_PROPOSAL = "getEnforcementProposal"
    DECIDE_ENFORCEMENT_PROPOSAL = "decideEnforcementProposal"
    BACKUP = "backupInstallation"
    RESTORE = "restoreInstallation"
    # The Selling Partner API operations, by Amazon's operationIds.
    CREATE_REPORT = "createReport"
    GET_REPORTS = "getReports"
    GET_REPORT = "getReport"
    CANCEL_REPORT = "cancelReport"
    GET_REPORT_DOCUMENT = "getReportDocument"
    MANAGE_DESTINATIONS = "manageDestinations"
    MANAGE_SUBSCRIPTIONS = "manageSubscriptions"
    GET_MARKETPLACE_PARTICIPATIONS = "getMarketplaceParticipations"


class Scope(enum.Enum):
    ANY = "any"
    OWN = "own"


class Visibility(enum.StrEnum):
    """Who may read a case entry: the seller, or one department only."""

    SELLER = "seller"
    AHS = "ahs"
    SELLER_PERFORMANCE = "seller_performance"


_ANY, _OWN = Scope.ANY, Scope.OWN
T = TypeVar("T")

PERMISSIONS: dict[Role, dict[Action, Scope]] = {
    Role.SELLER: {
        Action.WHO_AM_I: _ANY,
        Action.GET_SELLER_HEALTH: _OWN,
        Action.GET_SELLER_PERFORMANCE_REPORT: _OWN,
        Action.SET_EMERGENCY_CONTACT: _OWN,
        Action.GET_ASSURANCE_STATUS: _OWN,
        Action.LIST_CASES: _OWN,
        Action.GET_CASE: _OWN,
        Action.ADD_CASE_NOTE: _OWN,
        Action.ADD_LISTING: _OWN,
        Action.SCREEN_LISTINGS: _OWN,
        Action.GET_POLICY: _ANY,
        Action.VERIFY_NOTICE: _OWN,
        Action.LIST_NOTICES: _OWN,
        Action.SET_NOTIFICATION_PREFERENCES: _OWN,
        Action.SUBMIT_APPEAL: _OWN,
        Action.LIST_APPEALS: _OWN,
        Action.GET_APPEAL: _OWN,
        Action.CHECK_APPEAL: _OWN,
        Action.ADD_ATTACHMENT: _OWN,
        Action.GET_GUIDANCE: _OWN,
        Action.REQUEST_CALLBACK: _OWN,
        Action.LIST_CALLBACKS: _OWN,
        Action.CANCEL_CALLBACK: _OWN,
        Action.SET_LANGUAGE: _ANY,
        Action.LIST_APPS: _ANY,
        Action.AUTHORIZE_APP: _OWN,
        Action.LIST_APP_AUTHORIZATIONS: _OWN,
        Action.REVOKE_APP_AUTHORIZATION: _OWN,
        Action.DISPUTE_COMPLAINT: _OWN,
        Action.ADD_DISPUTE_FILE: _OWN,
        Action.LIST_DISPUTES: _OWN,
        Action.REQUEST_RETRACTION: _OWN,
        Action.LIST_RETRACTION_REQUESTS: _OWN,
        Action.LIST_BRAND_AUTHORISATIONS: _OWN,
    },
    # An app reaches only the seller that authorised it, and only the reports,
    # destinations and subscriptions it made itself.
    Role.SELLING_PARTNER_APP: {
        Action.CREATE_REPORT: _OWN,
        Action.GET_REPORTS: _OWN,
        Action.GET_REPORT: _OWN,
        Action.CANCEL_REPORT: _OWN,
        Action.GET_REPORT_DOCUMENT: _OWN,
        Action.MANAGE_DESTINATIONS: _OWN,
        Action.MANAGE_SUBSCRIPTIONS: _OWN,
        Action.GET_MARKETPLACE_PARTICIPATIONS: _OWN,
    },
    Role.RIGHTS_OWNER: {
        Action.WHO_AM_I: _ANY,
        Action.SET_LANGUAGE: _ANY,
        Action.REGISTER_BRAND: _ANY,
        Action.LIST_BRANDS: _OWN,
        Action.FILE_COMPLAINT: _OWN,
        Action.RETRACT_COMPLAINT: _OWN,
        Action.LIST_COMPLAINTS: _OWN,
        Action.ADD_COMPLAINT_FILE: _OWN,
        Action.SEARCH_LISTINGS: _OWN,
        Action.LIST_DISPUTES: _OWN,
        Action.ANSWER_RETRACTION_REQUEST: _OWN,
        Action.LIST_RETRACTION_REQUESTS: _OWN,
        Action.GET_NOTIFIER_REPUTATION: _OWN,
        Action.LIST_BRAND_AUTHORISATIONS: _OWN,
        Action.LIST_OWNER_NOTICES: _OWN,
        Action.GET_POLICY: _ANY,
    },
    Role.AHS_AGENT: {
        Action.WHO_AM_I: _ANY,
        Action.SET_LANGUAGE: _ANY,
        Action.SEARCH_SELLERS: _ANY,
        Action.GET_SELLER_HEALTH: _ANY,
        Action.GET_ASSURANCE_STATUS: _ANY,
        Action.GET_SELLER_PERFORMANCE_REPORT: _ANY,
        Action.LIST_CASES: _ANY,
        Action.GET_CASE: _ANY,
        Action.ADD_CASE_NOTE: _ANY,
        Action.LIST_COMPLAINTS: _ANY,
        Action.SEARCH_LISTINGS: _ANY,
        Action.LIST_DISPUTES: _ANY,
        Action.LIST_RETRACTION_REQUESTS: _ANY,
        Action.GET_NOTIFIER_REPUTATION: _ANY,
        Action.LIST_BRAND_AUTHORISATIONS: _ANY,
        Action.GET_POLICY: _ANY,
        Action.VERIFY_NOTICE: _ANY,
        Action.LIST_NOTICES: _ANY,
        Action.LIST_OWNER_NOTICES: _ANY,
        Action.LIST_APPEALS: _ANY,
        Action.GET_APPEAL: _ANY,
        Action.CHECK_APPEAL: _ANY,
        Action.GET_GUIDANCE: _ANY,
        Action.LIST_CALLBACKS: _ANY,
        Action.CLAIM_CALLBACK: _ANY,
        Action.COMPLETE_CALLBACK: _ANY,
        Action.CANCEL_CALLBACK: _ANY,
        Action.GET_QUEUE_OVERVIEW: _ANY,
        Action.GET_TRANSPARENCY_REPORT: _ANY,
    },
    Role.ACCOUNT_SPECIALIST: {
        Action.WHO_AM_I: _ANY,
        Action.SET_LANGUAGE: _ANY,
        Action.SEARCH_SELLERS: _ANY,
        Action.GET_SELLER_HEALTH: _ANY,
        Action.GET_ASSURANCE_STATUS: _ANY,
        Action.GET_SELLER_PERFORMANCE_REPORT: _ANY,
        Action.SET_ACCOUNT_STATUS: _ANY,
        Action.LIST_CASES: _ANY,
        Action.GET_CASE: _ANY,
        Action.ADD_CASE_NOTE: _ANY,
        Action.LIST_COMPLAINTS: _ANY,
        Action.SEARCH_LISTINGS: _ANY,
        Action.LIST_DISPUTES: _ANY,
        Action.DECIDE_DISPUTE: _ANY,
        Action.LIST_RETRACTION_REQUESTS: _ANY,
        Action.GET_NOTIFIER_REPUTATION: _ANY,
        Action.DECIDE_HELD_COMPLAINT: _ANY,
        Action.LIST_BRAND_AUTHORISATIONS: _ANY,
        Action.REVOKE_BRAND_AUTHORISATION: _ANY,
        Action.SCREEN_LISTINGS: _ANY,
        Action.GET_POLICY: _ANY,
        Action.RECORD_VIOLATION: _ANY,
        Action.VERIFY_NOTICE: _ANY,
        Action.LIST_NOTICES: _ANY,
        Action.LIST_OWNER_NOTICES: _ANY,
        Action.LIST_APPEALS: _ANY,
        Action.GET_APPEAL: _ANY,
        Action.CHECK_APPEAL: _ANY,
        Action.REVIEW_APPEAL: _ANY,
        Action.DECIDE_APPEAL: _ANY,
        Action.GET_GUIDANCE: _ANY,
        Action.GET_QUEUE_OVERVIEW: _ANY,
        Action.GET_TRANSPARENCY_REPORT: _ANY,
        Action.LIST_ENFORCEMENT_PROPOSALS: _ANY,
        Action.GET_ENFORCEMENT_PROPOSAL: _ANY,
        Action.DECIDE_ENFORCEMENT_PROPOSAL: _ANY,
    },
    Role.ADMIN: {
        Action.WHO_AM_I: _ANY,
        Action.SET_LANGUAGE: _ANY,
        Action.LIST_AUDIT_LOG: _ANY,
        Action.EXPORT_AUDIT_LOG: _ANY,
        Action.GET_QUEUE_OVERVIEW: _ANY,
        Action.READ_METRICS: _ANY,
        Action.ADD_MARKETPLACE: _ANY,
        Action.ADD_SELLER: _ANY,
        Action.ADD_USER: _ANY,
        Action.CREATE_TOKEN: _ANY,
        Action.REVOKE_TOKEN: _ANY,
        Action.LOAD_DEMO: _ANY,
        Action.IMPORT_EVENTS: _ANY,
        Action.COMPUTE_METRICS: _ANY,
        Action.EVALUATE: _ANY,
        Action.SCREEN_LISTINGS: _ANY,
        Action.GET_POLICY: _ANY,
        Action.RELOAD_POLICY: _ANY,
        Action.MANAGE_WEBHOOKS: _ANY,
        Action.MANAGE_KEYS: _ANY,
        Action.MANAGE_APPS: _ANY,
        Action.LIST_APPS: _ANY,
        Action.BACKUP: _ANY,
        Action.RESTORE: _ANY,
        Action.GET_TRANSPARENCY_REPORT: _ANY,
    },
    Role.SYSTEM: {
        Action.BACKUP: _ANY,
        Action.RESTORE: _ANY,
        Action.SEARCH_SELLERS: _ANY,
        Action.LIST_AUDIT_LOG: _ANY,
        Action.EXPORT_AUDIT_LOG: _ANY,
        Action.GET_QUEUE_OVERVIEW: _ANY,
        Action.READ_METRICS: _ANY,
        Action.GET_SELLER_HEALTH: _ANY,
        Action.GET_SELLER_PERFORMANCE_REPORT: _ANY,
        Action.SET_ACCOUNT_STATUS: _ANY,
        Action.SET_EMERGENCY_CONTACT: _ANY,
        Action.GET_ASSURANCE_STATUS: _ANY,
        Action.LIST_CASES: _ANY,
        Action.GET_CASE: _ANY,
        Action.ADD_CASE_NOTE: _ANY,
        Action.ADD_MARKETPLACE: _ANY,
        Action.ADD_SELLER: _ANY,
        Action.ADD_LISTING: _ANY,
        Action.ADD_USER: _ANY,
        Action.CREATE_TOKEN: _ANY,
        Action.REVOKE_TOKEN: _ANY,
        Action.LOAD_DEMO: _ANY,
        Action.IMPORT_EVENTS: _ANY,
        Action.COMPUTE_METRICS: _ANY,
        Action.EVALUATE: _ANY,
        Action.RECORD_VIOLATION: _ANY,
        Action.SCREEN_LISTINGS: _ANY,
        Action.LIST_COMPLAINTS: _ANY,
        Action.REGISTER_BRAND: _ANY,
        Action.FILE_COMPLAINT: _ANY,
        Action.RETRACT_COMPLAINT: _ANY,
        Action.ADD_COMPLAINT_FILE: _ANY,
        Action.SEARCH_LISTINGS: _ANY,
        Action.DISPUTE_COMPLAINT: _ANY,
        Action.ADD_DISPUTE_FILE: _ANY,
        Action.LIST_DISPUTES: _ANY,
        Action.DECIDE_DISPUTE: _ANY,
        Action.REQUEST_RETRACTION: _ANY,
        Action.ANSWER_RETRACTION_REQUEST: _ANY,
        Action.LIST_RETRACTION_REQUESTS: _ANY,
        Action.GET_NOTIFIER_REPUTATION: _ANY,
        Action.DECIDE_HELD_COMPLAINT: _ANY,
        Action.LIST_BRAND_AUTHORISATIONS: _ANY,
        Action.REVOKE_BRAND_AUTHORISATION: _ANY,
        Action.LIST_BRANDS: _ANY,
        Action.GET_POLICY: _ANY,
        Action.RELOAD_POLICY: _ANY,
        Action.VERIFY_NOTICE: _ANY,
        Action.LIST_NOTICES: _ANY,
        Action.LIST_OWNER_NOTICES: _ANY,
        Action.SET_NOTIFICATION_PREFERENCES: _ANY,
        Action.MANAGE_WEBHOOKS: _ANY,
        Action.MANAGE_KEYS: _ANY,
        Action.DELIVER_NOTICES: _ANY,
        Action.WATCH_DEADLINES: _ANY,
        Action.HOLD_FOR_ASSURANCE: _ANY,
        Action.GET_TRANSPARENCY_REPORT: _ANY,
        Action.SUBMIT_APPEAL: _ANY,
        Action.LIST_APPEALS: _ANY,
        Action.GET_APPEAL: _ANY,
        Action.CHECK_APPEAL: _ANY,
        Action.REVIEW_APPEAL: _ANY,
        Action.DECIDE_APPEAL: _ANY,
        Action.ADD_ATTACHMENT: _ANY,
        Action.GET_GUIDANCE: _ANY,
        Action.REQUEST_CALLBACK: _ANY,
        Action.LIST_CALLBACKS: _ANY,
        Action.CLAIM_CALLBACK: _ANY,
        Action.COMPLETE_CALLBACK: _ANY,
        Action.CANCEL_CALLBACK: _ANY,
        Action.MANAGE_APPS: _ANY,
        Action.LIST_APPS: _ANY,
        Action.AUTHORIZE_APP: _ANY,
        Action.LIST_APP_AUTHORIZATIONS: _ANY,
        Action.REVOKE_APP_AUTHORIZATION: _ANY,
        Action.LIST_ENFORCEMENT_PROPOSALS: _ANY,
        Action.GET_ENFORCEMENT_PROPOSAL: _ANY,
    },
}

READERS: dict[Visibility, frozenset[Role]] = {
    Visibility.SELLER: frozenset(Role),
    # AHS explains decisions, so it reads the specialists' internal notes too.
    Visibility.AHS: frozenset({Role.AHS_AGENT, Role.SYSTEM}),
    # The seed: what is said on the phone has no bearing on the POA, so specialists
    # never read AHS entries, while AHS may read theirs.
    Visibility.SELLER_PERFORMANCE: frozenset(
        {Role.ACCOUNT_SPECIALIST, Role.AHS_AGENT, Role.SYSTEM}
    ),
}

WRITERS: dict[Visibility, frozenset[Role]] = {
    Visibility.SELLER: frozenset(
        {Role.SELLER, Role.AHS_AGENT, Role.ACCOUNT_SPECIALIST, Role.SYSTEM}
    ),
    Visibility.AHS: frozenset({Role.AHS_AGENT}),
    Visibility.SELLER_PERFORMANCE: frozenset({Role.ACCOUNT_SPECIALIST, Role.SYSTEM}),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller of a use case."""

    email: str
    role: Role
    user_id: int | None = None
    seller_id: str | None = None
    app_id: int | None = None
    """The SP-API app acting (role ``selling_partner_app``); None for people."""

    @property
    def label(self) -> str:
        return self.email


SYSTEM = Actor(email="system", role=Role.SYSTEM)
METRICS_SCRAPER = Actor(email="metrics-scraper", role=Role.SYSTEM)
"""Whoever presents KENZEN_METRICS_TOKEN: the operator's Prometheus. The token opens
/metrics and nothing else (no other route reads it)."""


def _audit_entry(
    actor: Actor, action: str, target: str, detail: dict[str, Any] | None, *, denied: bool
) -> AuditEntry:
    # Imported on first use: the roles above are all ``kenzen --help`` needs, and building
    # it must not load the ORM.
    from kenzen import audit

    return audit.entry(
        actor=actor.label,
        actor_role=actor.role.value,
        action=action,
        target=target,
        outcome=audit.Outcome.DENIED if denied else audit.Outcome.OK,
        detail=detail,
    )


def _denial(actor: Actor, action: str, target: str, reason: str) -> AuditEntry:
    return _audit_entry(actor, action, target, {"reason": reason}, denied=True)


def refused(actor: Actor, action: Action, target: str, reason: str) -> AuditEntry:
    """The audit entry of an attempt the state of things refused (a held confirmation):
    raise it on the error, and the unit of work keeps it although the use case rolls back."""
    return _denial(actor, action.value, target, reason)


def _hidden(actor: Actor, message: Message, trace: AuditEntry | None = None) -> KenzenError:
    """Someone else's thing, worded like a missing one: 404 for people, and for apps the
    403 that the Selling Partner API answers for anything a token may not reach."""
    if actor.role is Role.SELLING_PARTNER_APP:
        return Forbidden(message, audit=trace)
    return NotFound(message, audit=trace)


def authorize(
    actor: Actor,
    action: Action,
    *,
    seller_id: str | None = None,
    owner_id: int | None = None,
    app_id: int | None = None,
    not_found: Message | None = None,
) -> Scope:
    """Allow or refuse ``action``; return the scope so queries can narrow to own data.

    ``seller_id`` is the seller the action concerns, ``owner_id`` the user who owns the
    thing (a rights owner's brand or complaint), ``app_id`` the SP-API app that made it;
    with scope ``OWN`` each given one must be the actor's. ``not_found`` is the message for
    someone else's thing — the same one as for a thing that does not exist.
    """
    scope = PERMISSIONS.get(actor.role, {}).get(action)
    target = f"seller:{seller_id}" if seller_id else "-"
    if scope is None:
        raise Forbidden(
            N_("error.access.role_may_not"),
            role=actor.role.value,
            action=action.value,
            audit=_denial(actor, action.value, target, "role not permitted"),
        )
    foreign_seller = seller_id is not None and seller_id != actor.seller_id
    foreign_owner = owner_id is not None and owner_id != actor.user_id
    foreign_app = app_id is not None and app_id != actor.app_id
    if scope is Scope.OWN and (foreign_seller or foreign_owner or foreign_app):
        raise _hidden(
            actor,
            not_found or Message(N_("error.seller_not_found"), {"seller_id": str(seller_id)}),
            _denial(actor, action.value, target, "not the actor's own"),
        )
    return scope


def load(
    session: Session,
    actor: Actor,
    action: Action,
    model: type[T],
    key: int | str,
    *,
    missing: str,
    owned_by: Literal["seller", "user", "app"] = "seller",
    hidden: str | None = None,
) -> T:
    """Load one thing and authorise ``action`` on it, or answer "not found".

    The thing belongs to the seller in its ``seller_id`` (or, with ``owned_by="user"``, to
    the user in its ``owner_id``; with ``owned_by="app"``, to the SP-API app in its
    ``app_id`` and to its seller, if it has one); someone else's thing and a missing one
    give the same answer, so existence never leaks: the message ``hidden`` if given, else
    ``missing`` (a message id taking the ``key``, "case %(key)s not found").
    """
    thing = session.get(model, key)
    answer = Message(hidden) if hidden else Message(missing, {"key": key})
    seller_id = getattr(thing, "seller_id", None)
    if owned_by == "seller":
        authorize(actor, action, seller_id=seller_id, not_found=answer)
    elif owned_by == "app":
        app_id = getattr(thing, "app_id", None)
        authorize(actor, action, seller_id=seller_id, app_id=app_id, not_found=answer)
    else:
        authorize(actor, action, owner_id=getattr(thing, "owner_id", None), not_found=answer)
    if thing is None:
        raise _hidden(actor, answer)
    return thing


def allows(actor: Actor, action: Action) -> bool:
    """Whether the actor's role may ``action`` at all (to show a link, not to guard one)."""
    return action in PERMISSIONS.get(actor.role, {})


def authorize_another_reviewer(
    actor: Actor, action: Action, *, earlier: list[int], target: str
) -> int:
    """Four eyes: a person reviews a thing once, so a second confirmation is always a second
    person's. Return the reviewer's user id."""
    authorize(actor, action)
    if actor.user_id is None:
        raise Forbidden(
            N_("error.access.not_person_may_not"),
            actor=actor.label,
            action=action.value,
            audit=_denial(actor, action.value, target, "not a person"),
        )
    if actor.user_id in earlier:
        raise Forbidden(
            N_("error.access.four_eyes_different_specialist_must_make"),
            audit=_denial(actor, action.value, target, "reviewed it already"),
        )
    return actor.user_id


def may_read(actor: Actor, visibility: Visibility) -> bool:
    return actor.role in READERS[visibility]


def authorize_note(actor: Actor, visibility: Visibility, target: str) -> None:
    if actor.role not in WRITERS[visibility]:
        raise Forbidden(
            N_("error.access.role_may_not_write_case_entries"),
            role=actor.role.value,
            visibility=visibility.value,
            audit=_denial(actor, Action.ADD_CASE_NOTE.value, target, f"{visibility} note"),
        )


def record(
    actor: Actor, action: Action | str, target: str, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """The audit entry of a state change the actor made (add it in the same transaction)."""
    return _audit_entry(actor, str(action), target, detail, denied=False)
