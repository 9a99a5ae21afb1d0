"""The full views of cards: the exact card a shortened platform message links to (bot/web/fullview.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.models import _ts


class CardView(SQLModel, table=True):
    """One card as it was sent, keyed by the digest of its content (the same card is stored once)."""

    __tablename__ = "card_view"
    digest: str = Field(primary_key=True, max_length=32)
    card: str = Field(sa_column=Column(Text, nullable=False))  # Card.to_dict() as JSON
    created_at: datetime | None = _ts(index=True)
