"""Response bodies of the identity API."""

from __future__ import annotations

from pydantic import BaseModel

from kenzen.access import Actor


class WhoAmI(BaseModel):
    email: str
    role: str
    seller_id: str | None

    @classmethod
    def of(cls, actor: Actor) -> WhoAmI:
        return cls(email=actor.email, role=actor.role.value, seller_id=actor.seller_id)
