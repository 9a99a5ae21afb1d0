"""A change counter for in-process caches: bumped by any change to some tables made through a session here.

ORM flushes of their models and INSERT/UPDATE/DELETE statements on their tables count; a change made by
another process does not, so a cache keeps a TTL beside it (member_cache, script_cache).
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import SQLModel

from storage.repos._sql import table_of


class TableWatch:
    """`generation` grows whenever one of `models`' tables changes through a session of this process."""

    def __init__(self, *models: type[SQLModel]) -> None:
        self.models = models
        self.tables = frozenset(table_of(m).name for m in models)
        self.generation = 0
        event.listen(Session, "after_flush", self._after_flush)
        event.listen(Session, "do_orm_execute", self._on_execute)

    def invalidate(self) -> None:
        """Count a change (callers that know of one the listeners cannot see)."""
        self.generation += 1

    def _after_flush(self, session: Session, _ctx) -> None:
        if any(isinstance(o, self.models) for o in chain(session.new, session.dirty, session.deleted)):
            self.invalidate()

    def _on_execute(self, state: ORMExecuteState) -> None:
        if (state.is_update or state.is_delete or state.is_insert) and \
                getattr(getattr(state.statement, "table", None), "name", None) in self.tables:
            self.invalidate()
