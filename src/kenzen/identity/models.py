"""Users hold exactly one role; credentials are stored only as hashes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import conv

from kenzen.access import Actor, Role
from kenzen.db import Base, UTCDateTime, str_enum, utcnow


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'seller') = (seller_id IS NOT NULL)",
            name=conv("ck_users_seller_binding"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[Token]] = relationship(back_populates="user")

    def as_actor(self) -> Actor:
        return Actor(email=self.email, role=self.role, user_id=self.id, seller_id=self.seller_id)


class TokenKind(enum.StrEnum):
    API = "api"
    SESSION = "session"


class Token(Base):
    """A bearer token (API) or a browser session; only its SHA-256 digest is kept."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind, 16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
