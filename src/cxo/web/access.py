"""Who may see and change what: the rules between the routes and the core.

``admin`` and ``cx_lead`` see everything; ``viewer`` sees everything and changes nothing
(:func:`cxo.web.deps.writer`); ``owner`` reads every aggregate analysis (scorecard,
assessment, follow-up report, pains without an initiative) but sees and edits only the
follow-ups of the touchpoints where they are the accountable person or the department in the
charter, and only the initiatives that touch one of those touchpoints or name them as owner.
Scopes follow the *current* charter: reassigning a touchpoint there moves its tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxo.errors import ForbiddenError, NotFoundError
from cxo.store.users import User, owned_touchpoints

if TYPE_CHECKING:
    from cxo.followups import FollowUp
    from cxo.initiatives import Initiative
    from cxo.workspace import Workspace


class Scope:
    """What one user may see: everything, or the touchpoints an owner answers for."""

    def __init__(self, user: User, touchpoints: set[str] | None) -> None:
        self.user = user
        self.touchpoints = touchpoints
        """``None`` for everything."""

    @classmethod
    def of(cls, ws: Workspace, user: User) -> Scope:
        """The scope of ``user`` in ``ws``."""
        if user.role != "owner":
            return cls(user, None)
        return cls(user, owned_touchpoints(ws.charter(), user.owner_of))

    @property
    def everything(self) -> bool:
        """Whether nothing is hidden."""
        return self.touchpoints is None

    def sees_followup(self, task: FollowUp) -> bool:
        """Whether the follow-up lies in the scope."""
        return self.touchpoints is None or task.touchpoint in self.touchpoints

    def sees_initiative(self, initiative: Initiative) -> bool:
        """Whether the initiative touches the scope (or names the owner as its owner)."""
        if self.touchpoints is None:
            return True
        if self.user.owner_of and initiative.owner == self.user.owner_of:
            return True
        return bool(self.touchpoints.intersection(initiative.touchpoints))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"all": true}`` or the owner's touchpoints."""
        if self.touchpoints is None:
            return {"all": True, "touchpoints": None}
        return {"all": False, "touchpoints": sorted(self.touchpoints)}


def followup(ws: Workspace, scope: Scope, task_id: int) -> FollowUp:
    """The follow-up ``task_id`` when it exists and lies in ``scope``."""
    from cxo.followups import tasks

    found = next((t for t in tasks(ws) if t.id == task_id), None)
    if found is None:
        raise NotFoundError(f"no follow-up task {task_id}")
    if not scope.sees_followup(found):
        raise ForbiddenError(
            f"follow-up task {task_id} belongs to another owner",
            hint="owners see the tasks of the touchpoints they answer for",
        )
    return found


def initiative(ws: Workspace, scope: Scope, key: str) -> Initiative:
    """The initiative ``key`` when it exists and lies in ``scope``."""
    from cxo.initiatives import get_initiative

    found = get_initiative(ws.app_database_url, key)
    if not scope.sees_initiative(found):
        raise ForbiddenError(
            f"initiative {key!r} belongs to another owner",
            hint="owners see the initiatives of the touchpoints they answer for",
        )
    return found


def scoped_ranking(ranking: dict[str, Any], visible: set[str]) -> dict[str, Any]:
    """The prioritisation with only the ``visible`` initiatives (pains stay: they are
    aggregate)."""
    out = dict(ranking)
    for key in ("ranked", "stop_candidates"):
        out[key] = [p for p in ranking.get(key, []) if p.get("key") in visible]
    not_measured = ranking.get("not_measured")
    if isinstance(not_measured, dict):
        out["not_measured"] = {k: v for k, v in not_measured.items() if k in visible}
    return out
