"""Attack task cards (攻坚任务卡): cards, their actions and the playbooks they come from."""

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp


class AttackCard(SQLModel, table=True):
    """One scenario attacked on one deal with one strategy; names are copied so pack edits never rewrite history."""

    __tablename__ = "attack_card"
    __table_args__ = (Index("ix_attack_card_opp_status", "opportunity_id", "status"),
                      Index("ix_attack_card_created", "created_at"))
    id: int = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id")
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    scenario: str = Field(max_length=20)  # the pack's scenario key; "standard" for the new-rep checklist
    scenario_name: str = Field(max_length=40)
    strategy: str = Field(max_length=20)
    strategy_name: str = Field(max_length=40)
    source: str = Field(default="command", max_length=12)  # command | offer | followup | new_rep
    status: str = Field(default="open", max_length=12)  # open | done
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime | None = timestamp()
    done_at: datetime | None = timestamp()


class AttackAction(SQLModel, table=True):
    """One checklist line; due and done times are on its task row, who ticked it and the evidence here."""

    __tablename__ = "attack_action"
    __table_args__ = (UniqueConstraint("card_id", "position", name="uq_attack_action_pos"),)
    id: int = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="attack_card.id")
    position: int
    title: str = Field(max_length=60)
    task_id: int | None = Field(default=None, foreign_key="task.id", unique=True)
    done_by: int | None = Field(default=None, foreign_key="member.id")
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AttackPlaybook(SQLModel, table=True):
    """An imported playbook pack (`salesbot import playbook`); the newest row is the one in use."""

    __tablename__ = "attack_playbook"
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    source: str = Field(sa_column=Column(Text, nullable=False))
    imported_at: datetime | None = timestamp(index=True)
