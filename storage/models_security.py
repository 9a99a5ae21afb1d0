"""Tables of the security layer: signatures already used (replay protection shared by every replica)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import _ts


class SignatureSeen(SQLModel, table=True):
    """A signature that carries no nonce (DingTalk robot and card callbacks), kept until it expires.

    The unique key makes the first replica to see a signature the only owner of it; the body digest
    tells a platform retry (same body) from a replay (a captured header pair on a new body).
    """

    __tablename__ = "signature_seen"
    __table_args__ = (UniqueConstraint("scheme", "signature", name="uq_signature_seen"),)
    id: int = Field(default=None, primary_key=True)
    scheme: str = Field(max_length=32)
    signature: str = Field(max_length=128)
    body_sha256: str = Field(max_length=64)
    expires_at: datetime | None = _ts(index=True, nullable=False)
