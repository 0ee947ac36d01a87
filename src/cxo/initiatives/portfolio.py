"""The portfolio of CX initiatives, kept in the operational store.

An initiative has a key, a name, one accountable owner, the touchpoints it changes and the
pains (``touchpoint:theme``) it addresses, a one-off and a running cost, the expected effect
(NPS points at its touchpoints, annual churn probability points of the customers reached), a
launch date and a status. Portfolios can be written as YAML and loaded in one go::

    initiatives:
      - key: portal_relaunch
        name: Kundenportal-Relaunch
        owner: Head of IT
        touchpoints: [portal]
        pains: ["portal:portal_ease"]
        one_off_cost: 250000
        running_cost_month: 4000
        expected_nps_effect: 8
        expected_churn_effect: -0.01
        launch: 2025-10-01
        status: running
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cxo.errors import InputError, UsageError
from cxo.store.db import migrate, session_scope
from cxo.store.models import AuditEntry, InitiativeRow

STATUSES = ("idea", "planned", "running", "done", "stopped")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,99}$")
_migrated: set[str] = set()
_TEXT_FIELDS = {"key": 100, "name": 300, "owner": 200, "status": 20, "description": 10_000}
_NUMBER_FIELDS = (
    "one_off_cost",
    "running_cost_month",
    "expected_nps_effect",
    "expected_churn_effect",
)


@dataclass
class Initiative:
    """One initiative of the portfolio."""

    key: str
    name: str
    owner: str = ""
    touchpoints: list[str] = field(default_factory=list)
    pains: list[str] = field(default_factory=list)
    one_off_cost: float = 0.0
    running_cost_month: float = 0.0
    expected_nps_effect: float | None = None
    expected_churn_effect: float | None = None
    launch: dt.date | None = None
    status: str = "idea"
    description: str = ""

    def check(self) -> None:
        """Raise :class:`UsageError` naming the field that is wrong."""
        for name, limit in _TEXT_FIELDS.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                raise UsageError(f"initiative {self.key}: `{name}` must be text, not {value!r}")
            if len(value) > limit:
                raise UsageError(f"initiative {self.key}: `{name}` is longer than {limit}")
        for name in _NUMBER_FIELDS:
            value = getattr(self, name)
            if value is None and name.startswith("expected"):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise UsageError(f"initiative {self.key}: `{name}` must be a number, not {value!r}")
            if not math.isfinite(value):
                raise UsageError(f"initiative {self.key}: `{name}` must be finite")
        for name in ("touchpoints", "pains"):
            values = getattr(self, name)
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise UsageError(f"initiative {self.key}: `{name}` must be a list of text")
        if not _KEY.match(self.key):
            raise UsageError(
                f"initiative key {self.key!r}: use lower-case letters, digits, '_' or '-'"
            )
        if not self.name.strip():
            raise UsageError(f"initiative {self.key}: name is empty")
        if self.status not in STATUSES:
            raise UsageError(
                f"initiative {self.key}: status {self.status!r} is not one of {', '.join(STATUSES)}"
            )
        if self.one_off_cost < 0 or self.running_cost_month < 0:
            raise UsageError(f"initiative {self.key}: costs cannot be negative")
        if self.expected_churn_effect is not None and not -1 < self.expected_churn_effect < 1:
            raise UsageError(
                f"initiative {self.key}: expected_churn_effect is a change of the annual churn "
                f"probability (e.g. -0.01), not {self.expected_churn_effect}"
            )
        for pain in self.pains:
            if pain.count(":") != 1 or not all(pain.split(":")):
                raise UsageError(
                    f"initiative {self.key}: pain {pain!r} must be written touchpoint:theme"
                )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        out["launch"] = self.launch.isoformat() if self.launch else None
        return out


def ensure_store(url: str) -> None:
    """Bring the operational store up to date once per process (workspaces created by an
    older cxo lack the newer tables)."""
    if url not in _migrated:
        migrate(url)
        _migrated.add(url)


def _from_row(row: InitiativeRow) -> Initiative:
    return Initiative(
        key=row.key,
        name=row.name,
        owner=row.owner,
        touchpoints=list(json.loads(row.touchpoints)),
        pains=list(json.loads(row.pains)),
        one_off_cost=row.one_off_cost,
        running_cost_month=row.running_cost_month,
        expected_nps_effect=row.expected_nps_effect,
        expected_churn_effect=row.expected_churn_effect,
        launch=row.launch.date() if row.launch else None,
        status=row.status,
        description=row.description,
    )


def save_initiative(url: str, initiative: Initiative, *, author: str = "cxo") -> bool:
    """Insert or update ``initiative`` (by key); return ``True`` when it was new."""
    initiative.check()
    ensure_store(url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(url) as session:
        row = session.scalars(
            select(InitiativeRow).where(InitiativeRow.key == initiative.key)
        ).first()
        created = row is None
        if row is None:
            row = InitiativeRow(key=initiative.key, created_at=now)
            session.add(row)
        row.name = initiative.name
        row.owner = initiative.owner
        row.status = initiative.status
        row.touchpoints = json.dumps(initiative.touchpoints)
        row.pains = json.dumps(initiative.pains)
        row.one_off_cost = float(initiative.one_off_cost)
        row.running_cost_month = float(initiative.running_cost_month)
        row.expected_nps_effect = initiative.expected_nps_effect
        row.expected_churn_effect = initiative.expected_churn_effect
        row.launch = (
            dt.datetime.combine(initiative.launch, dt.time()) if initiative.launch else None
        )
        row.description = initiative.description
        row.updated_at = now
        session.add(
            AuditEntry(
                at=now,
                actor=author,
                action="initiative.add" if created else "initiative.update",
                detail=initiative.key,
            )
        )
        session.commit()
        return created


def initiatives(url: str) -> list[Initiative]:
    """The portfolio, by key."""
    ensure_store(url)
    with session_scope(url) as session:
        rows = session.scalars(select(InitiativeRow).order_by(InitiativeRow.key)).all()
        return [_from_row(r) for r in rows]


def get_initiative(url: str, key: str) -> Initiative:
    """The initiative ``key``; :class:`UsageError` listing the keys when it does not exist."""
    found = {i.key: i for i in initiatives(url)}
    if key not in found:
        known = ", ".join(found) or "none yet (add one with `cxo initiative add`)"
        raise UsageError(f"no initiative {key!r}; known: {known}")
    return found[key]


def remove_initiative(url: str, key: str, *, author: str = "cxo") -> None:
    """Delete the initiative ``key``."""
    get_initiative(url, key)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(url) as session:
        row = session.scalars(select(InitiativeRow).where(InitiativeRow.key == key)).one()
        session.delete(row)
        session.add(AuditEntry(at=now, actor=author, action="initiative.remove", detail=key))
        session.commit()


_FIELDS = set(Initiative.__dataclass_fields__)


def _parse_date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{where}: launch {value!r} is not a date (YYYY-MM-DD)") from None


def load_portfolio(path: Path) -> list[Initiative]:
    """Initiatives from a YAML file (see the module docs); errors name the entry and field."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}{line}: not valid YAML ({exc})") from None
    items = doc.get("initiatives") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a list under `initiatives:`")
    out = []
    for n, item in enumerate(items, start=1):
        where = f"{path}: initiatives[{n}]"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected a mapping with key, name, …")
        unknown = sorted(set(item) - _FIELDS)
        if unknown:
            raise InputError(
                f"{where}: unknown field(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(_FIELDS))}"
            )
        for needed in ("key", "name"):
            if not item.get(needed):
                raise InputError(f"{where}: field `{needed}` is missing")
        values = dict(item)
        values["key"] = str(values["key"])
        values["launch"] = _parse_date(values.get("launch"), f"{where} ({values['key']})")
        for name in ("touchpoints", "pains"):
            v = values.get(name, [])
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise InputError(f"{where} ({values['key']}): `{name}` must be a list of strings")
            values[name] = v
        for name in ("name", "owner", "description", "status"):
            if name in values:
                values[name] = "" if values[name] is None else str(values[name])
        for name in _NUMBER_FIELDS:
            if name in values and values[name] is not None:
                try:
                    values[name] = float(values[name])
                except (TypeError, ValueError):
                    raise InputError(
                        f"{where} ({values['key']}): `{name}` is not a number: {values[name]!r}"
                    ) from None
        initiative = Initiative(**values)
        try:
            initiative.check()
        except UsageError as exc:
            raise InputError(f"{where}: {exc.message}") from None
        out.append(initiative)
    return out


__all__ = [
    "STATUSES",
    "Initiative",
    "get_initiative",
    "initiatives",
    "load_portfolio",
    "remove_initiative",
    "save_initiative",
]
