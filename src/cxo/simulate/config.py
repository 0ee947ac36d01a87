"""The simulator's settings: every planted mechanism as one named field.

:class:`SimulationConfig` is plain data (JSON-ready via :meth:`SimulationConfig.to_dict`);
company-type defaults (pains, driver weights, tasks, initiatives) are filled in by
:func:`build_config`. ``docs/simulator.md`` explains what each field plants.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cxo.core.charter import COMPANY_TYPES
from cxo.errors import UsageError

TENURE_BANDS = ("0-12", "13-24", "25+")
LATITUDE_LIMITS = (25.0, 50.0, 100.0, 200.0)


@dataclass
class SimulationConfig:
    """All knobs of the synthetic company (see ``docs/simulator.md``)."""

    company_type: str = "service"
    customers: int = 20_000
    seed: int = 1
    as_of: date = date(2026, 9, 30)
    history_years: int = 5
    window_months: int = 36
    chunk_size: int = 50_000
    no_effects: bool = False
    # customers
    segment_shares: dict[str, float] = field(default_factory=dict)
    de_share: float | None = None
    base_churn: dict[str, float] = field(default_factory=dict)
    experience_sd: float = 0.45
    churn_per_sd_experience: float = 0.03
    # responses and comments
    responses_per_customer: float = 10.0
    anonymous_share: float = 0.03
    ratings_share: float = 0.3
    comment_rate: float = 0.35
    offtopic_share: float = 0.05
    pii_share: float = 0.04
    mixed_share: float = 0.25
    driver_r2: float = 0.45
    driver_weights: dict[str, float] = field(default_factory=dict)
    pains: list[dict[str, Any]] = field(default_factory=list)
    null_cells: list[dict[str, Any]] = field(default_factory=list)
    pain_mention_rate: float = 0.8
    null_mention_share: float = 0.10
    mix_shift: float = 0.15
    within_trend: float | str = "auto"
    # loyalty
    loyalty_penalty: dict[str, float] = field(
        default_factory=lambda: {"0-12": 0.0, "13-24": 0.08, "25+": 0.15}
    )
    loyalty_churn_effect: float = 0.04
    bundle_confounding: bool = True
    # marketing
    send_rate: float = 0.45
    untargeted_share: float = 0.7
    personalized_share: float = 0.15
    open_rate: dict[str, float] = field(
        default_factory=lambda: {"untargeted": 0.18, "targeted": 0.25, "personalized": 0.32}
    )
    click_rate: float = 0.02
    click_uplift_personalized: float = 0.04
    unsubscribe_rate: float = 0.003
    unsubscribe_uplift_untargeted: float = 0.006
    complaint_rate: dict[str, float] = field(
        default_factory=lambda: {"untargeted": 0.0015, "targeted": 0.0008, "personalized": 0.0004}
    )
    conversion_given_click: float = 0.15
    fatigue_slope: float = 0.001
    churn_effect_per_send: float = 0.002
    lifecycle_gaps: list[dict[str, str]] = field(default_factory=list)
    # complaints
    case_rate: float = 0.06
    contacts_per_case_without_latitude: float = 3.4
    fcr_share: float = 0.25
    churn_effect_per_extra_contact: float = 0.02
    nps_shift_per_extra_contact: float = 0.08
    settlement_median: float = 60.0
    settlement_sigma: float = 0.9
    cost_per_contact: float = 6.0
    # self-service
    session_rate: float = 0.15
    tasks: dict[str, float] = field(default_factory=dict)
    switch_to_call_within_48h: float = 0.35
    session_survey_rate: float = 0.1
    ces_failed_shift: float = 2.0
    # initiatives
    initiatives: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy (dates as ISO strings)."""
        out = dataclasses.asdict(self)
        out["as_of"] = self.as_of.isoformat()
        return out


_DEFAULTS: dict[str, dict[str, Any]] = {
    "service": {
        "segment_shares": {"private": 0.62, "business": 0.25, "premium": 0.13},
        "base_churn": {"private": 0.11, "business": 0.075, "premium": 0.06},
        "driver_weights": {
            "first_contact_resolution": 0.28,
            "waiting_time": 0.22,
            "price_value": 0.18,
            "competence": 0.13,
            "bill_clarity": 0.09,
            "portal_ease": 0.06,
            "friendliness": 0.04,
            "network_quality": 0.0,
        },
        "pains": [
            {
                "touchpoint": "hotline",
                "theme": "reachability_waiting",
                "segment": None,
                "share_affected": 0.15,
                "nps_effect": -30.0,
                "churn_effect": 0.06,
            },
            {
                "touchpoint": "billing",
                "theme": "invoice_error",
                "segment": "private",
                "share_affected": 0.12,
                "nps_effect": -35.0,
                "churn_effect": 0.08,
            },
            {
                "touchpoint": "portal",
                "theme": "portal_usability",
                "segment": None,
                "share_affected": 0.20,
                "nps_effect": -20.0,
                "churn_effect": 0.03,
            },
        ],
        "null_cells": [
            {"touchpoint": "chat", "theme": "chatbot", "segment": None},
            {"touchpoint": "field_service", "theme": "appointment", "segment": "business"},
        ],
        "lifecycle_gaps": [
            {"moment": "onboarding", "segment": "private"},
            {"moment": "winback", "segment": "business"},
            {"moment": "winback", "segment": "premium"},
        ],
        "tasks": {
            "change_address": 0.88,
            "download_invoice": 0.93,
            "change_plan": 0.55,
            "report_fault": 0.45,
            "cancel_contract": 0.35,
            "update_payment": 0.80,
        },
        "initiatives": [
            {
                "name": "portal_relaunch",
                "touchpoint": "portal",
                "start": "2025-10-01",
                "nps_effect": 8.0,
                "churn_effect": -0.01,
            },
            {
                "name": "chatbot",
                "touchpoint": "chat",
                "start": "2025-04-01",
                "nps_effect": 0.0,
                "churn_effect": 0.0,
            },
        ],
    },
    "software": {
        "segment_shares": {"smb": 0.6, "mid_market": 0.3, "enterprise": 0.1},
        "base_churn": {"smb": 0.12, "mid_market": 0.08, "enterprise": 0.05},
        "driver_weights": {
            "reliability": 0.30,
            "ease_of_use": 0.24,
            "support_competence": 0.16,
            "performance": 0.12,
            "price_value": 0.10,
            "support_speed": 0.08,
            "onboarding_help": 0.0,
        },
        "pains": [
            {
                "touchpoint": "product_use",
                "theme": "performance_speed",
                "segment": "enterprise",
                "share_affected": 0.20,
                "nps_effect": -25.0,
                "churn_effect": 0.05,
            },
            {
                "touchpoint": "support",
                "theme": "repeat_contact",
                "segment": None,
                "share_affected": 0.12,
                "nps_effect": -30.0,
                "churn_effect": 0.07,
            },
            {
                "touchpoint": "billing",
                "theme": "price_increase_loyalty",
                "segment": "smb",
                "share_affected": 0.10,
                "nps_effect": -30.0,
                "churn_effect": 0.06,
            },
        ],
        "null_cells": [
            {"touchpoint": "onboarding", "theme": "onboarding_setup", "segment": None},
            {"touchpoint": "product_use", "theme": "missing_feature", "segment": "smb"},
        ],
        "lifecycle_gaps": [
            {"moment": "onboarding", "segment": "smb"},
            {"moment": "renewal", "segment": "smb"},
            {"moment": "winback", "segment": "enterprise"},
        ],
        "tasks": {
            "reset_password": 0.90,
            "download_invoice": 0.92,
            "change_plan": 0.60,
            "add_user": 0.75,
            "export_data": 0.50,
            "cancel_subscription": 0.40,
        },
        "initiatives": [
            {
                "name": "performance_program",
                "touchpoint": "product_use",
                "start": "2025-07-01",
                "nps_effect": 6.0,
                "churn_effect": -0.01,
            },
            {
                "name": "support_chatbot",
                "touchpoint": "support",
                "start": "2025-01-01",
                "nps_effect": 0.0,
                "churn_effect": 0.0,
            },
        ],
    },
    "retail": {
        "segment_shares": {"occasional": 0.55, "regular": 0.35, "vip": 0.10},
        "base_churn": {"occasional": 0.13, "regular": 0.08, "vip": 0.05},
        "driver_weights": {
            "delivery_speed": 0.27,
            "price_value": 0.22,
            "returns_ease": 0.18,
            "checkout_ease": 0.14,
            "assortment": 0.11,
            "site_ease": 0.08,
            "store_advice": 0.0,
        },
        "pains": [
            {
                "touchpoint": "delivery",
                "theme": "delivery",
                "segment": None,
                "share_affected": 0.15,
                "nps_effect": -30.0,
                "churn_effect": 0.05,
            },
            {
                "touchpoint": "returns",
                "theme": "returns_refund",
                "segment": None,
                "share_affected": 0.12,
                "nps_effect": -35.0,
                "churn_effect": 0.06,
            },
            {
                "touchpoint": "checkout",
                "theme": "checkout_payment",
                "segment": "occasional",
                "share_affected": 0.10,
                "nps_effect": -25.0,
                "churn_effect": 0.04,
            },
        ],
        "null_cells": [
            {"touchpoint": "webshop", "theme": "availability_stock", "segment": None},
            {"touchpoint": "store", "theme": "staff_friendliness", "segment": "regular"},
        ],
        "lifecycle_gaps": [
            {"moment": "onboarding", "segment": "occasional"},
            {"moment": "renewal", "segment": "occasional"},
            {"moment": "winback", "segment": "regular"},
        ],
        "tasks": {
            "track_order": 0.90,
            "start_return": 0.55,
            "change_address": 0.85,
            "download_invoice": 0.92,
            "cancel_order": 0.45,
            "redeem_voucher": 0.70,
        },
        "initiatives": [
            {
                "name": "returns_portal",
                "touchpoint": "returns",
                "start": "2025-10-01",
                "nps_effect": 8.0,
                "churn_effect": -0.01,
            },
            {
                "name": "store_app",
                "touchpoint": "store",
                "start": "2025-04-01",
                "nps_effect": 0.0,
                "churn_effect": 0.0,
            },
        ],
    },
}

_EFFECT_ZEROS: dict[str, Any] = {
    "loyalty_churn_effect": 0.0,
    "click_uplift_personalized": 0.0,
    "unsubscribe_uplift_untargeted": 0.0,
    "fatigue_slope": 0.0,
    "churn_effect_per_send": 0.0,
    "lifecycle_gaps": [],
    "churn_effect_per_extra_contact": 0.0,
    "nps_shift_per_extra_contact": 0.0,
    "switch_to_call_within_48h": 0.0,
    "ces_failed_shift": 0.0,
    "mix_shift": 0.0,
    "within_trend": 0.0,
}


def build_config(
    company_type: str, customers: int, seed: int, **overrides: Any
) -> SimulationConfig:
    """The configuration for ``company_type`` with its defaults, then ``overrides`` applied."""
    if company_type not in COMPANY_TYPES:
        raise UsageError(
            f"unknown company type {company_type!r}; choose one of {', '.join(COMPANY_TYPES)}"
        )
    if int(customers) < 1:
        raise UsageError(f"customers must be at least 1, not {customers}")
    names = {f.name for f in dataclasses.fields(SimulationConfig)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise UsageError(
            f"unknown simulation setting(s): {', '.join(unknown)}",
            hint="see docs/simulator.md for the fields of SimulationConfig",
        )
    values: dict[str, Any] = {k: _copy(v) for k, v in _DEFAULTS[company_type].items()}
    values.update(company_type=company_type, customers=int(customers), seed=int(seed))
    if overrides.get("no_effects"):
        values.update(_copy(_EFFECT_ZEROS))
        values["pains"] = [{**p, "nps_effect": 0.0, "churn_effect": 0.0} for p in values["pains"]]
        values["initiatives"] = [
            {**i, "nps_effect": 0.0, "churn_effect": 0.0} for i in values["initiatives"]
        ]
        values["loyalty_penalty"] = dict.fromkeys(TENURE_BANDS, 0.0)
    for key, value in overrides.items():
        values[key] = _copy(value)
    if isinstance(values.get("as_of"), str):
        values["as_of"] = date.fromisoformat(values["as_of"])
    lp = values.get("loyalty_penalty")
    if isinstance(lp, int | float):
        values["loyalty_penalty"] = dict.fromkeys(TENURE_BANDS, float(lp)) | {"0-12": 0.0}
    cfg = SimulationConfig(**values)
    _validate(cfg)
    return cfg


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _validate(cfg: SimulationConfig) -> None:
    if set(cfg.loyalty_penalty) != set(TENURE_BANDS):
        raise UsageError(f"loyalty_penalty needs exactly the bands {', '.join(TENURE_BANDS)}")
    if cfg.chunk_size < 100:
        raise UsageError("chunk_size must be at least 100")
    if not 12 <= cfg.window_months <= 12 * cfg.history_years:
        raise UsageError("window_months must lie between 12 and history_years × 12")
    noise = 1.0 - cfg.driver_r2 - cfg.experience_sd**2
    if noise <= 0.01:
        raise UsageError("driver_r2 + experience_sd² must stay below 0.99")
    for p in cfg.pains:
        for k in ("touchpoint", "theme", "share_affected", "nps_effect", "churn_effect"):
            if k not in p:
                raise UsageError(f"pain {p} lacks {k!r}")
