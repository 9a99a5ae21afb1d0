"""The machinery: inbox, outbox, card refs and views, job runs, refusals, replay guard, send slots, leases."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import json_object, timestamp
from storage.types import UTCDateTime


class InboxEvent(SQLModel, table=True):
    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "dedupe_key", name="uq_inbox_platform_key"),
                      Index("ix_inbox_status", "status"))
    id: int = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    dedupe_key: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    claimed_until: datetime | None = timestamp()
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    event: dict = json_object()
    received_at: datetime | None = timestamp()
    done_at: datetime | None = timestamp()


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: int = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    platform: str = Field(max_length=16)
    target: str = Field(max_length=200)
    payload: dict = json_object()
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = timestamp()
    claimed_until: datetime | None = timestamp()
    claim_token: str = Field(default="", max_length=32)  # fences marks: only the current claimer may mark
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = timestamp()
    sent_at: datetime | None = timestamp()


class CardRef(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "card_key"),)
    id: int = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    card_key: str = Field(max_length=200)
    message_id: str = Field(default="", max_length=200)
    update_token: str = Field(default="", max_length=400)
    token_expires_at: datetime | None = timestamp()


class CardView(SQLModel, table=True):
    """One card as it was sent, keyed by the digest of its content (the same card is stored once)."""

    __tablename__ = "card_view"
    digest: str = Field(primary_key=True, max_length=32)
    card: str = Field(sa_column=Column(Text, nullable=False))  # Card.to_dict() as JSON
    created_at: datetime | None = timestamp(index=True)


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "fire_key", name="uq_job_run_fire"),)
    id: int = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    fire_key: str = Field(max_length=60)
    status: str = Field(default="running", max_length=12)
    started_at: datetime | None = timestamp()
    finished_at: datetime | None = timestamp()
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class RejectedRequest(SQLModel, table=True):
    """Every inbound body we refused, kept so nothing that reached us is lost."""

    __tablename__ = "rejected_request"
    id: int = Field(default=None, primary_key=True)
    route: str = Field(max_length=200)
    status: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    content_type: str = Field(default="", max_length=120)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    received_at: datetime | None = timestamp(index=True)
    # migration 1910: who sent it, how big it was and its hash (a refused unauthenticated body keeps a prefix only)
    source: str = Field(default="", max_length=64)
    body_size: int = 0
    body_sha256: str = Field(default="", max_length=64)
    truncated: bool = False


class SignatureSeen(SQLModel, table=True):
    """A body seen under a signature that carries no nonce (DingTalk robot and card callbacks), kept until it expires.

    One row per (signature, body). `slot` numbers a signature's bodies 0, 1, 2… and both unique keys make every
    replica agree: one insert wins each slot, and a body is stored once (a platform retry finds its own row).
    The bound on slots is the caller's (bot/platforms/replay.py).
    """

    __tablename__ = "signature_seen"
    __table_args__ = (UniqueConstraint("scheme", "signature", "slot", name="uq_signature_seen_slot"),
                      UniqueConstraint("scheme", "signature", "body_sha256", name="uq_signature_seen_body"))
    id: int = Field(default=None, primary_key=True)
    scheme: str = Field(max_length=32)
    signature: str = Field(max_length=128)
    slot: int = 0
    body_sha256: str = Field(max_length=64)
    expires_at: datetime | None = timestamp(index=True, nullable=False)


class SendSlot(SQLModel, table=True):
    """One of a rate scope's N slots: the time of one of its last N sends (a shared sliding window)."""

    __tablename__ = "send_slot"
    __table_args__ = (Index("ix_send_slot_scope_at", "scope", "at"),)
    scope: str = Field(primary_key=True, max_length=200)
    slot: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AppToken(SQLModel, table=True):
    """A platform access token shared by every replica of one app."""

    __tablename__ = "app_token"
    key: str = Field(primary_key=True, max_length=200)
    token: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Lease(SQLModel, table=True):
    """A named single-holder lease (a stream connection, a token refresher), renewed while held."""

    __tablename__ = "ops_lease"
    name: str = Field(primary_key=True, max_length=200)
    holder: str = Field(default="", max_length=80)
    until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class QueuedTask(SQLModel, table=True):
    """One unit of background work, run at most once per key by the handler of (platform, kind)."""

    __tablename__ = "task_queue"
    __table_args__ = (Index("ix_task_queue_status_next", "status", "next_attempt_at"),)
    id: int = Field(default=None, primary_key=True)  # assigned on insert (storage/models.py says why int)
    idempotency_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)  # fetch_media, create_approval, read_approval, create_room, set_workbench
    platform: str = Field(max_length=16)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=12)  # pending | running | done | dead
    attempts: int = 0  # counted when a run starts, so a task that crashes its worker still dies after N
    next_attempt_at: datetime | None = timestamp()
    claimed_until: datetime | None = timestamp()
    claim_token: str = Field(default="", max_length=32)  # fences marks: only the current claimer may mark
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = timestamp()
    done_at: datetime | None = timestamp()
