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


class Kpi(_Model):
    """A KPI with its target; ``direction`` says whether higher or lower is better."""

    metric: Metric
    target: float | None = None
    direction: Literal["higher", "lower"] = "higher"


class Touchpoint(Keyed):
    """A touchpoint with its owning department and one accountable person."""

    department: str | None = None
    accountable: str | None = None
    raci: Raci = Field(default_factory=Raci)
    kpis: list[Kpi] = Field(default_factory=list)


class Stage(_Model):
    """A journey stage grouping touchpoints."""

    stage: str
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
        return self

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
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise CharterError(
            f"{source}{line}: invalid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(data, dict):
        raise CharterError(f"{source}:1: the charter must be a mapping with company, journey, …")
    try:
        return Charter.model_validate(data)
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
