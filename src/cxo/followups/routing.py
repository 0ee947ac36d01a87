"""Re-routing: when the charter gives a touchpoint a new owner, its unfinished tasks follow.

:func:`reroute` compares every task that is not closed (``open`` or ``contacted``) with the
accountable person and department the charter names for its touchpoint now and moves the
tasks whose owner changed — including tasks nobody owned — to the new owner. A touchpoint the
charter no longer knows, or that has no accountable person any more, keeps its tasks where
they are (nobody would see them otherwise). Closed tasks keep the owner who closed them.

Each move is audited (``followup.reroute``, with the charter version that caused it), so the
charter editor can say afterwards how many tasks moved from whom to whom
(:func:`reroute_of_version`). Every moved task's ``version`` is bumped: an owner working the
task at the same moment does not overwrite the move, nor the move their change.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from cxo.followups.tasks import ATTEMPTS, TaskConflict, _busy, utc_now
from cxo.initiatives.portfolio import ensure_store
from cxo.store.db import session_scope
from cxo.store.models import AuditEntry, FollowUpRow

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.workspace import Workspace

ACTION = "followup.reroute"


@dataclass(frozen=True)
class Move:
    """Tasks of one touchpoint that moved from one owner to another (``""``: nobody)."""

    touchpoint: str
    from_owner: str
    to_owner: str
    tasks: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "touchpoint": self.touchpoint,
            "from": self.from_owner,
            "to": self.to_owner,
            "tasks": self.tasks,
        }


@dataclass
class Rerouted:
    """What :func:`reroute` moved."""

    moves: list[Move] = field(default_factory=list)
    charter_version: int | None = None

    @property
    def tasks(self) -> int:
        """Tasks moved in all."""
        return sum(m.tasks for m in self.moves)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "charter_version": self.charter_version,
            "tasks": self.tasks,
            "moves": [m.to_dict() for m in self.moves],
        }


def reroute(
    ws: Workspace,
    charter: Charter | None = None,
    *,
    by: str = "cxo",
    charter_version: int | None = None,
) -> Rerouted:
    """Move the unfinished tasks of every touchpoint whose accountable person in ``charter``
    (default: the workspace's) is not their owner to that person; audit it."""
    plan = charter if charter is not None else ws.charter()
    url = ws.app_database_url
    ensure_store(url)
    for _ in range(ATTEMPTS):
        try:
            return _reroute_once(url, plan, by, charter_version)
        except (StaleDataError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not _busy(exc):
                raise
            time.sleep(0.01)
    raise TaskConflict("follow-up tasks kept changing while they were re-routed", hint="try again")


def _reroute_once(url: str, charter: Charter, by: str, version: int | None) -> Rerouted:
    counts: dict[tuple[str, str, str], int] = {}
    with session_scope(url) as session:
        rows = session.scalars(
            select(FollowUpRow)
            .where(FollowUpRow.status != "closed")
            .order_by(FollowUpRow.touchpoint, FollowUpRow.id)
        ).all()
        for row in rows:
            owner = charter.owner_of(row.touchpoint)
            accountable = owner["accountable"]
            if not accountable:
                continue
            department = owner["department"] or ""
            if row.owner != accountable:
                key = (row.touchpoint, row.owner, accountable)
                counts[key] = counts.get(key, 0) + 1
                row.owner = accountable
                row.department = department
            elif row.department != department:
                row.department = department
        result = Rerouted(
            [Move(tp, old, new, n) for (tp, old, new), n in sorted(counts.items())], version
        )
        if result.moves:
            detail = json.dumps(result.to_dict(), ensure_ascii=False)
            session.add(AuditEntry(at=utc_now(), actor=by, action=ACTION, detail=detail))
        session.commit()
    return result


def reroute_of_version(ws: Workspace, charter_version: int) -> Rerouted:
    """What saving charter version ``charter_version`` moved (empty when nothing moved)."""
    url = ws.app_database_url
    ensure_store(url)
    with session_scope(url) as session:
        details = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == ACTION).order_by(AuditEntry.id)
        ).all()
    for detail in reversed(details):
        try:
            data = json.loads(detail)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("charter_version") == charter_version:
            moves = [
                Move(str(m["touchpoint"]), str(m["from"]), str(m["to"]), int(m["tasks"]))
                for m in data.get("moves", [])
            ]
            return Rerouted(moves, charter_version)
    return Rerouted([], charter_version)


__all__ = ["ACTION", "Move", "Rerouted", "reroute", "reroute_of_version"]
