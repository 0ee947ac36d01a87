"""The CX charter: definition, journey → touchpoints, owners (RACI), KPIs and targets.

Stored as YAML in the workspace (``charter.yaml``); validated with pydantic. Validation
errors name the YAML line and the field path, e.g. ``charter.yaml:42 journey[1].touchpoints[0]
.accountable: field required``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cxo.errors import CharterError

CompanyType = Literal["software", "service", "retail", "custom"]
COMPANY_TYPES: tuple[str, ...] = ("software", "service", "retail")
Metric = Literal["nps", "csat", "ces", "churn", "fcr", "task_success"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Model):
    """A text in German and English."""

    de: str
    en: str


class Keyed(_Model):
    """A keyed item (segment, product) with German and English labels."""

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    de: str
    en: str

    def label(self, language: str = "en") -> str:
        """The label in ``language`` (``de`` or ``en``)."""
        return self.de if language == "de" else self.en


class Attribute(Keyed):
    """A rated attribute (driver) and the touchpoint it belongs to."""

    touchpoint: str | None = None


class Raci(_Model):
    """Who else is responsible, consulted or informed (departments)."""

    responsible: list[str] = Field(default_factory=list)
    consulted: list[str] = Field(default_factory=list)
    informed: list[str] = Field(default_factory=list)


KPI_RANGES: dict[str, tuple[float, float]] = {
    "nps": (-100.0, 100.0),
    "csat": (0.0, 1.0),
    "ces": (1.0, 7.0),
    "churn": (0.0, 1.0),
    "fcr": (0.0, 1.0),
    "task_success": (0.0, 1.0),
}
"""Valid target range per metric (NPS points; CSAT top-2-box, churn, FCR, task success as
shares; CES on its 1–7 scale)."""


class Kpi(_Model):
    """A KPI with its target; ``direction`` says whether higher or lower is better."""

    metric: Metric
    target: float | None = None
    direction: Literal["higher", "lower"] = "higher"

    @model_validator(mode="after")
    def _target_in_range(self) -> Kpi:
        lo, hi = KPI_RANGES[self.metric]
        if self.target is not None and not lo <= self.target <= hi:
            raise ValueError(
                f"target {self.target} of {self.metric} is outside {lo:g}…{hi:g}"
                + (" (CSAT, churn and rates are shares: 0.85, not 85)" if hi == 1.0 else "")
            )
        return self


DEFAULT_SLA_HOURS = 48.0
"""Hours from a customer's answer to the first contact of its follow-up, where the touchpoint
sets no ``sla_hours`` of its own."""
MAX_SLA_HOURS = 24.0 * 90
"""Longest follow-up SLA a touchpoint may set (90 days): a longer one is no promise."""


class Touchpoint(Keyed):
    """A touchpoint with its owning department, one accountable person and the follow-up SLA
    (hours from a detractor's answer to the first contact; :data:`DEFAULT_SLA_HOURS` when
    unset)."""

    department: str | None = None
    accountable: str | None = Field(default=None, min_length=1)
    raci: Raci = Field(default_factory=Raci)
    kpis: list[Kpi] = Field(default_factory=list)
    sla_hours: float | None = Field(default=None, gt=0, le=MAX_SLA_HOURS)


class Stage(_Model):
    """A journey stage grouping touchpoints."""

    stage: str = Field(pattern=r"^[a-z0-9_]+$")
    de: str
    en: str
    touchpoints: list[Touchpoint]


class Company(_Model):
    """Who the charter is for."""

    name: str
    type: CompanyType
    currency: str = "EUR"
    language: Literal["de", "en"] = "de"


class Owner(_Model):
    """An owner outside the journey (e.g. marketing)."""

    department: str
    accountable: str | None = None


class Marketing(_Model):
    """Marketing's owner (for the watering-can diagnostic)."""

    owner: Owner


class Aliases(_Model):
    """Maps raw values found in data onto charter keys."""

    touchpoint: dict[str, str] = Field(default_factory=dict)
    segment: dict[str, str] = Field(default_factory=dict)
    product: dict[str, str] = Field(default_factory=dict)


class Charter(_Model):
    """The whole charter."""

    version: int = 1
    company: Company
    definition: Label
    principles: list[Label] = Field(default_factory=list)
    segments: list[Keyed] = Field(default_factory=list)
    products: list[Keyed] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list)
    journey: list[Stage]
    marketing: Marketing | None = None
    aliases: Aliases = Field(default_factory=Aliases)

    @model_validator(mode="after")
    def _unique_touchpoints(self) -> Charter:
        seen: set[str] = set()
        for tp in self.touchpoints:
            if tp.key in seen:
                raise ValueError(f"touchpoint key {tp.key!r} appears twice")
            seen.add(tp.key)
        for kind, items in (("segment", self.segments), ("product", self.products)):
            keys = [i.key for i in items]
            dup = sorted({k for k in keys if keys.count(k) > 1})
            if dup:
                raise ValueError(f"{kind} key {dup[0]!r} appears twice")
        for attr in self.attributes:
            if attr.touchpoint is not None and attr.touchpoint not in seen:
                raise ValueError(
                    f"attribute {attr.key!r} names unknown touchpoint {attr.touchpoint!r}"
                )
        for kind in ("touchpoint", "segment", "product"):
            valid = self.keys(kind)  # type: ignore[arg-type]
            for raw, key in getattr(self.aliases, kind).items():
                if key not in valid:
                    raise ValueError(f"alias {raw!r} maps to unknown {kind} {key!r}")
        return self

    def stage_of(self, touchpoint: str) -> Stage:
        """The journey stage holding ``touchpoint``."""
        for stage in self.journey:
            if any(tp.key == touchpoint for tp in stage.touchpoints):
                return stage
        raise KeyError(touchpoint)

    def label(self, kind: str, key: str, language: str = "en") -> str:
        """The label of a touchpoint, segment, product or attribute key (the key if unknown)."""
        pools: dict[str, list[Any]] = {
            "touchpoint": self.touchpoints,
            "segment": list(self.segments),
            "product": list(self.products),
            "attribute": list(self.attributes),
        }
        for item in pools.get(kind, []):
            if item.key == key:
                return str(item.de if language == "de" else item.en)
        return key

    @property
    def touchpoints(self) -> list[Touchpoint]:
        """All touchpoints in journey order."""
        return [tp for stage in self.journey for tp in stage.touchpoints]

    def touchpoint(self, key: str) -> Touchpoint:
        """The touchpoint ``key``."""
        for tp in self.touchpoints:
            if tp.key == key:
                return tp
        raise KeyError(key)

    def owner_of(self, touchpoint: str) -> dict[str, str | None]:
        """Department and accountable person of ``touchpoint`` (``None`` where unknown)."""
        try:
            tp = self.touchpoint(touchpoint)
        except KeyError:
            return {"touchpoint": touchpoint, "department": None, "accountable": None}
        return {
            "touchpoint": touchpoint,
            "department": tp.department,
            "accountable": tp.accountable,
        }

    def sla_hours(self, touchpoint: str) -> float:
        """Follow-up SLA of ``touchpoint`` in hours (the default where it sets none or the
        charter does not know it)."""
        try:
            own = self.touchpoint(touchpoint).sla_hours
        except KeyError:
            return DEFAULT_SLA_HOURS
        return DEFAULT_SLA_HOURS if own is None else own

    def keys(self, kind: Literal["touchpoint", "segment", "product"]) -> set[str]:
        """Valid keys of one kind (touchpoint, segment or product)."""
        if kind == "touchpoint":
            return {tp.key for tp in self.touchpoints}
        if kind == "segment":
            return {s.key for s in self.segments}
        return {p.key for p in self.products}

    def alias_map(self, kind: Literal["touchpoint", "segment", "product"]) -> dict[str, str]:
        """Raw value → charter key for ``kind`` (keys map to themselves)."""
        mapping = dict(getattr(self.aliases, kind))
        mapping.update({k: k for k in self.keys(kind)})
        return mapping


def template_text(company_type: str) -> str:
    """The YAML text of the built-in template for ``company_type``."""
    if company_type not in COMPANY_TYPES:
        raise CharterError(
            f"unknown company type {company_type!r}; choose one of {', '.join(COMPANY_TYPES)}"
        )
    return (resources.files("cxo.core") / "templates" / f"{company_type}.yaml").read_text("utf-8")


def template(company_type: str) -> Charter:
    """The built-in charter template for ``company_type``."""
    return parse_charter(template_text(company_type), source=f"<template {company_type}>")


def load_charter(path: Path) -> Charter:
    """Read and validate a charter YAML file."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise CharterError(
            f"{path}: charter file not found",
            hint="run `cxo init` to create a workspace with a charter",
        ) from None
    return parse_charter(text, source=str(path))


def parse_charter(text: str, *, source: str = "charter.yaml") -> Charter:
    """Validate charter YAML; errors name ``source:line`` and the field path."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CharterError(
            f"{source}:{line}: invalid YAML: {getattr(exc, 'problem', None) or exc}"
        ) from None
    except RecursionError:
        raise CharterError(f"{source}:1: invalid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise CharterError(f"{source}:1: the charter must be a mapping with company, journey, …")
    try:
        return Charter.model_validate(data)
    except RecursionError:
        raise CharterError(f"{source}:1: invalid charter: nested too deeply") from None
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            loc = err["loc"]
            line_no = _line_of(node, loc)
            path = _format_loc(loc)
            messages.append(f"{source}:{line_no} {path}: {err['msg']}")
        raise CharterError("invalid charter:\n  " + "\n  ".join(messages)) from None


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based YAML line of the deepest node along ``loc`` that exists."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def dump_charter(charter: Charter) -> str:
    """Serialise a charter to YAML (used when the web app or a migration edits it)."""
    return yaml.safe_dump(
        charter.model_dump(mode="json", exclude_defaults=False), allow_unicode=True, sort_keys=False
    )


# ------------------------------------------------------------------------------------------
# accountability check
# ------------------------------------------------------------------------------------------

Severity = Literal["error", "warning"]
OWNER_CONCENTRATION = 0.5
"""One person accountable for more than this share of touchpoints (and at least three) is
flagged: accountability that sits with one person is nobody's in practice."""


class CharterIssue(BaseModel):
    """One finding of :func:`check_charter`."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    touchpoint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return self.model_dump()


def check_charter(charter: Charter, data_touchpoints: set[str] | None = None) -> list[CharterIssue]:
    """What breaks accountability in ``charter`` (errors) and what weakens it (warnings).

    Errors: a touchpoint without an accountable person; a touchpoint found in the data
    (``data_touchpoints``, raw values; aliases are applied) that the charter does not define;
    one person accountable for (nearly) everything. Warnings: a KPI without a target, a
    touchpoint without KPIs or without an owning department.
    """
    issues: list[CharterIssue] = []
    tps = charter.touchpoints
    for tp in tps:
        if not tp.accountable:
            issues.append(
                CharterIssue(
                    code="no_accountable",
                    severity="error",
                    touchpoint=tp.key,
                    message=f"touchpoint {tp.key!r} has no accountable person",
                )
            )
        if not tp.department:
            issues.append(
                CharterIssue(
                    code="no_department",
                    severity="warning",
                    touchpoint=tp.key,
                    message=f"touchpoint {tp.key!r} has no owning department",
                )
            )
        if not tp.kpis:
            issues.append(
                CharterIssue(
                    code="no_kpi",
                    severity="warning",
                    touchpoint=tp.key,
                    message=f"touchpoint {tp.key!r} has no KPI",
                )
            )
        for kpi in tp.kpis:
            if kpi.target is None:
                issues.append(
                    CharterIssue(
                        code="kpi_without_target",
                        severity="warning",
                        touchpoint=tp.key,
                        message=f"KPI {kpi.metric} of touchpoint {tp.key!r} has no target",
                    )
                )
    if data_touchpoints:
        mapping = charter.alias_map("touchpoint")
        for raw in sorted(data_touchpoints):
            if raw not in mapping:
                issues.append(
                    CharterIssue(
                        code="unknown_touchpoint",
                        severity="error",
                        touchpoint=raw,
                        message=f"touchpoint {raw!r} occurs in the data but not in the charter "
                        "(add it to the journey or map it under aliases.touchpoint)",
                    )
                )
    owners = [tp.accountable for tp in tps if tp.accountable]
    if len(tps) >= 3 and owners:
        top = max(set(owners), key=owners.count)
        share = owners.count(top) / len(tps)
        if share > OWNER_CONCENTRATION:
            issues.append(
                CharterIssue(
                    code="one_owner_for_everything",
                    severity="error",
                    message=f"{top} is accountable for {owners.count(top)} of {len(tps)} "
                    "touchpoints: accountability needs the departments that run them",
                )
            )
    return issues


def diff_charters(old: Charter, new: Charter) -> list[str]:
    """Human-readable changes from ``old`` to ``new`` (owners, KPIs, touchpoints, texts)."""
    changes: list[str] = []
    old_tps = {tp.key: tp for tp in old.touchpoints}
    new_tps = {tp.key: tp for tp in new.touchpoints}
    for key in new_tps.keys() - old_tps.keys():
        changes.append(f"touchpoint {key} added")
    for key in old_tps.keys() - new_tps.keys():
        changes.append(f"touchpoint {key} removed")
    for key in sorted(old_tps.keys() & new_tps.keys()):
        a, b = old_tps[key], new_tps[key]
        for fld in ("accountable", "department", "sla_hours"):
            if getattr(a, fld) != getattr(b, fld):
                changes.append(f"{key}.{fld}: {getattr(a, fld)} → {getattr(b, fld)}")
        if a.raci != b.raci:
            changes.append(f"{key}.raci changed")
        ka = {k.metric: k.target for k in a.kpis}
        kb = {k.metric: k.target for k in b.kpis}
        for metric in sorted(ka.keys() | kb.keys()):
            if ka.get(metric) != kb.get(metric):
                changes.append(f"{key}.kpi {metric}: {ka.get(metric)} → {kb.get(metric)}")
    if old.definition != new.definition:
        changes.append("definition changed")
    if old.principles != new.principles:
        changes.append("principles changed")
    if old.company != new.company:
        changes.append("company changed")
    for kind in ("segments", "products", "attributes"):
        if getattr(old, kind) != getattr(new, kind):
            changes.append(f"{kind} changed")
    if old.aliases != new.aliases:
        changes.append("aliases changed")
    return changes
