"""JSON routes under /api/v1: thin adapters from HTTP to the domain services."""

from fastapi import APIRouter

from kenzen.web.api import (
    appeals,
    assurance,
    cases,
    complaints,
    disputes,
    events,
    identity,
    notices,
    operations,
    policy,
    proposals,
    sellers,
    support,
    transparency,
)
from kenzen.web.api.responses import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
router.include_router(identity.router)
router.include_router(sellers.router)
router.include_router(cases.router)
router.include_router(events.router)
router.include_router(complaints.router)
router.include_router(disputes.router)
router.include_router(policy.router)
router.include_router(proposals.router)
router.include_router(appeals.router)
router.include_router(support.router)
router.include_router(assurance.router)
router.include_router(notices.router)
router.include_router(operations.router)
router.include_router(transparency.router)
