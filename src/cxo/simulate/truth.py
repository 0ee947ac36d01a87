"""The truth accumulators the chunks fill, and ``truth.json`` built from their sums (see
``docs/simulator.md``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import numpy as np

from cxo.simulate.config import LATITUDE_LIMITS, TENURE_BANDS
from cxo.simulate.context import EPOCH, Context

SCHEMA_VERSION = 1


class Acc:
    """Truth accumulators: sums of floats and arrays, added across chunks."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = defaultdict(float)

    def add(self, key: str, value: Any) -> None:
        """Add ``value`` (a number or an array) to ``key``."""
        cur = self.values.get(key)
        if cur is None or (isinstance(cur, float) and cur == 0.0 and not np.isscalar(value)):
            self.values[key] = np.array(value, dtype=float) if not np.isscalar(value) else value
        else:
            self.values[key] = cur + value

    def merge(self, other: Acc) -> None:
        """Add another accumulator into this one."""
        for k, v in other.values.items():
            self.add(k, v)

    def get(self, key: str, default: Any = 0.0) -> Any:
        """The accumulated value (``default`` if never added)."""
        return self.values.get(key, default)


def _r(x: float, nd: int = 6) -> float:
    return round(float(x), nd)


def _div(a: float, b: float) -> float:
    return float(a) / float(b) if b else 0.0


def build_truth(ctx: Context, acc: Acc, counts: dict[str, int]) -> dict[str, Any]:
    """The whole truth dictionary (JSON-ready, deterministic)."""
    cfg = ctx.cfg
    g = acc.get
    truth: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "company_type": cfg.company_type,
        "customers": cfg.customers,
        "seed": cfg.seed,
        "as_of": cfg.as_of.isoformat(),
        "window": {
            "from": (EPOCH + timedelta(days=ctx.window_start_day)).isoformat(),
            "to": cfg.as_of.isoformat(),
        },
        "currency": ctx.charter.company.currency,
        "config": cfg.to_dict(),
        "counts": counts,
    }
    truth["pains"] = _pains(ctx, acc)
    truth["null_cells"] = [
        {
            "touchpoint": cell.touchpoint,
            "theme": cell.theme,
            "segment": cell.segment,
            "nps_effect": 0.0,
            "churn_effect": 0.0,
            "responses": int(g(f"null{j}_n")),
            "mentions": int(g(f"null{j}_men")),
        }
        for j, cell in enumerate(ctx.nulls)
    ]
    truth["drivers"] = _drivers(ctx)
    truth["trend"] = _trend(ctx, acc)
    truth["churn"] = {
        "base_annual_by_segment": dict(zip(ctx.segments, map(float, ctx.base_churn), strict=True)),
        "churn_per_sd_experience": cfg.churn_per_sd_experience,
        "experience_sd": cfg.experience_sd,
        "realised_annual_rate": _r(_div(g("churn_events"), g("churn_base"))),
    }
    truth["loyalty"] = _loyalty(ctx, acc)
    truth["marketing"] = _marketing(ctx, acc)
    truth["complaints"] = _complaints(ctx, acc)
    truth["selfservice"] = _selfservice(ctx, acc)
    truth["initiatives"] = [
        {
            "name": ini.name,
            "touchpoint": ini.touchpoint,
            "start": ini.start.isoformat(),
            "nps_effect": _r(_div(g(f"init{j}_ate"), g(f"init{j}_n")), 3),
            "churn_effect": ini.churn_effect,
            "nps_effect_planted": ini.nps_effect,
            "latent_shift": _r(ini.shift),
            "responses_after_start": int(g(f"init{j}_n")),
            "users_share": ini.users_share,
            "users": int(g(f"init{j}_users")),
            "churn_effect_applies_to": "users of the touchpoint",
            "pre_trend_latent": ini.pre_trend,
        }
        for j, ini in enumerate(ctx.initiatives)
    ]
    return truth


def _pains(ctx: Context, acc: Acc) -> list[dict[str, Any]]:
    g = acc.get
    pains = []
    for j, cell in enumerate(ctx.pains):
        n, men = g(f"pain{j}_n"), g(f"pain{j}_men")
        pains.append(
            {
                "touchpoint": cell.touchpoint,
                "theme": cell.theme,
                "segment": cell.segment,
                "share_affected": cell.share,
                "nps_effect": _r(_div(g(f"pain{j}_ate"), n), 3),
                "churn_effect": cell.churn_effect,
                "nps_effect_planted": cell.nps_effect,
                "nps_effect_observable": _r(
                    _div(g(f"pain{j}_f_men"), men) - _div(g(f"pain{j}_f_rest"), n - men), 3
                ),
                "latent_shift": _r(cell.shift),
                "responses": int(n),
                "affected_responses": int(g(f"pain{j}_aff")),
                "share_affected_responses": _r(_div(g(f"pain{j}_aff"), n)),
                "mentions": int(men),
            }
        )
    return pains


def _drivers(ctx: Context) -> dict[str, Any]:
    shares = ctx.beta**2 / float((ctx.beta**2).sum())
    weights = {a: _r(w) for a, w in zip(ctx.attributes, shares, strict=True)}
    return {
        "target": "nps",
        "weights": weights,
        "measure": "share_of_explained_variance",
        "order": [a for a, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))],
        "latent_coefficients": {a: _r(b) for a, b in zip(ctx.attributes, ctx.beta, strict=True)},
        "driver_r2_latent": ctx.cfg.driver_r2,
        "scale": {"min": 1, "max": 5},
    }


def _selfservice(ctx: Context, acc: Acc) -> dict[str, Any]:
    cfg = ctx.cfg
    g = acc.get
    return {
        "touchpoint": ctx.touchpoints[ctx.selfservice_tp],
        "tasks": ctx.tasks,
        "task_success": {t: float(s) for t, s in zip(ctx.tasks, ctx.task_success, strict=True)},
        "switch_to_call_within_48h": cfg.switch_to_call_within_48h,
        "switch_channels": ["phone", "chat"],
        "switch_cases": int(g("switch_cases")),
        "failed_identified_sessions": int(g("sess_failed_identified")),
        "ces_mean": {k: _r(float((np.arange(1, 8) * p).sum())) for k, p in ctx.ces_probs.items()},
        "ces_distribution": {k: [_r(x) for x in p] for k, p in ctx.ces_probs.items()},
        "survey_responses": int(g("ss_resp")),
        "cost_per_contact": cfg.cost_per_contact,
    }


def _trend(ctx: Context, acc: Acc) -> dict[str, Any]:
    cfg = ctx.cfg
    nq = cfg.window_months // 3
    ns = len(ctx.segments)
    n = np.asarray(acc.get("trend_n", np.zeros(nq * ns))).reshape(nq, ns)
    f = np.asarray(acc.get("trend_f", np.zeros(nq * ns))).reshape(nq, ns)
    first_month = ctx.window_first_month
    quarters = []
    for q in range(nq):
        y, m = divmod(first_month + 3 * q, 12)
        label = f"{1970 + y}Q{m // 3 + 1}"
        tot = float(n[q].sum())
        quarters.append(
            {
                "quarter": label,
                "responses": int(tot),
                "nps_expected": _r(_div(float(f[q].sum()), tot), 3),
                "by_segment": {
                    s: {
                        "responses": int(n[q, i]),
                        "nps_expected": _r(_div(float(f[q, i]), float(n[q, i])), 3),
                    }
                    for i, s in enumerate(ctx.segments)
                },
            }
        )
    q0, q1 = nq - 8, nq - 1
    w0, w1 = n[q0] / max(n[q0].sum(), 1), n[q1] / max(n[q1].sum(), 1)
    n0 = np.divide(f[q0], n[q0], out=np.zeros(ns), where=n[q0] > 0)
    n1 = np.divide(f[q1], n[q1], out=np.zeros(ns), where=n[q1] > 0)
    return {
        "quarters": quarters,
        "mix_shift": cfg.mix_shift,
        "within_trend_latent": _r(ctx.within_shift),
        "low_segment": ctx.segments[ctx.low_segment],
        "decomposition": {
            "from": quarters[q0]["quarter"],
            "to": quarters[q1]["quarter"],
            "groups": "segment",
            "total": _r(float((w1 * n1).sum() - (w0 * n0).sum()), 3),
            "mix": _r(float(((w1 - w0) * n0).sum()), 3),
            "within": _r(float((w1 * (n1 - n0)).sum()), 3),
        },
    }


def _loyalty(ctx: Context, acc: Acc) -> dict[str, Any]:
    cfg = ctx.cfg
    g = acc.get
    mean_price = [_div(g(f"loy_price_{b}"), g(f"loy_n_{b}")) for b in range(3)]
    return {
        "penalty_by_tenure_band": {b: float(cfg.loyalty_penalty[b]) for b in TENURE_BANDS},
        "realised_penalty_by_tenure_band": {
            b: _r(_div(g(f"loy_rel_{i}"), g(f"loy_n_{i}"))) for i, b in enumerate(TENURE_BANDS)
        },
        "naive_penalty_by_tenure_band": {
            b: _r(_div(mean_price[i], mean_price[0]) - 1.0 if mean_price[0] else 0.0)
            for i, b in enumerate(TENURE_BANDS)
        },
        "running_contracts_by_tenure_band": {
            b: int(g(f"loy_n_{i}")) for i, b in enumerate(TENURE_BANDS)
        },
        "monthly_loyalty_tax": round(float(g("loy_tax")), 2),
        "monthly_recurring_revenue": round(float(g("loy_mrr")), 2),
        "share_customers_paying_more": _r(_div(g("loy_paying_more"), g("loy_customers"))),
        "churn_effect": cfg.loyalty_churn_effect if (ctx.penalty > 0).any() else 0.0,
        "bundle_confounding": cfg.bundle_confounding,
        "tenure": "datediff('month', signup_date, as_of or churn_date)",
    }


def _marketing(ctx: Context, acc: Acc) -> dict[str, Any]:
    cfg = ctx.cfg
    g = acc.get
    n = {k: g(f"send_n_{k}") for k in ("untargeted", "targeted", "personalized")}
    total = sum(n.values())

    def rate(kind: str, what: str) -> float:
        return _div(g(f"send_q{what}_{kind}"), n[kind])

    return {
        "untargeted_share": _r(_div(n["untargeted"], total)),
        "untargeted_share_planted": cfg.untargeted_share,
        "personalized_share": _r(_div(n["personalized"], total)),
        "unsubscribe_uplift_untargeted": _r(
            rate("untargeted", "unsub") - rate("personalized", "unsub")
        ),
        "unsubscribe_uplift_untargeted_planted": cfg.unsubscribe_uplift_untargeted,
        "click_uplift_personalized": _r(
            rate("personalized", "click") - rate("untargeted", "click")
        ),
        "click_uplift_personalized_planted": cfg.click_uplift_personalized,
        "expected_rates": {
            k: {"unsubscribe": _r(rate(k, "unsub")), "click": _r(rate(k, "click"))} for k in n
        },
        "rates": {
            "open": dict(cfg.open_rate),
            "click_untargeted": cfg.click_rate,
            "unsubscribe_personalized": cfg.unsubscribe_rate,
            "complaint": dict(cfg.complaint_rate),
            "conversion_given_click": cfg.conversion_given_click,
        },
        "fatigue_slope": cfg.fatigue_slope,
        "churn_effect_per_send": cfg.churn_effect_per_send,
        "churn_effect_per_send_monthly": cfg.churn_effect_per_send / 12.0,
        "fatigue_estimands": {
            "fatigue_slope": "change in the per-send unsubscribe probability per additional "
            "send delivered to the customer in the same calendar month, message kind held fixed",
            "churn_effect_per_send": "12 x change in the probability of churning in month m+1 "
            "per additional send delivered in month m, among customers active at the start of "
            "m+1, lifecycle stage and segment held fixed",
        },
        "lifecycle_gaps": [dict(x) for x in cfg.lifecycle_gaps],
        "sends": {k: int(v) for k, v in n.items()},
    }


def _complaints(ctx: Context, acc: Acc) -> dict[str, Any]:
    cfg = ctx.cfg
    g = acc.get
    cases = g("cd_cases")
    share_rev = _div(g("cd_revealed"), cases)
    lat = []
    zeros = np.zeros(len(LATITUDE_LIMITS))
    for i, x in enumerate(LATITUDE_LIMITS):
        row: dict[str, Any] = {"limit": x, "cases": int(cases)}
        for key, target in (("lat", row), ("latrev", {})):
            c = float(np.asarray(g(f"{key}_cases", zeros))[i])
            saved = float(np.asarray(g(f"{key}_contacts", zeros))[i])
            target.update(
                cases_closable=int(c),
                share_closable_at_first_contact=_r(_div(c, cases)),
                contacts_saved=int(saved),
                days_saved=round(float(np.asarray(g(f"{key}_days", zeros))[i]), 2),
                goodwill_cost=round(float(np.asarray(g(f"{key}_cost", zeros))[i]), 2),
                churn_reduction_customers=_r(saved * cfg.churn_effect_per_extra_contact),
            )
            if key == "latrev":
                row["revealed"] = target
        lat.append(row)
    return {
        "contacts_per_case_without_latitude": cfg.contacts_per_case_without_latitude,
        "realised_contacts_per_case": _r(_div(g("cd_contacts"), g("cd_all")), 4),
        "fcr_share": cfg.fcr_share,
        "churn_effect_per_extra_contact": cfg.churn_effect_per_extra_contact,
        "nps_effect_per_extra_contact": _r(_div(g("cmp_effect"), g("cmp_extra")), 3),
        "nps_window_days": 90,
        "churn_window_months": 12,
        "settlement": {"median": cfg.settlement_median, "sigma_log": cfg.settlement_sigma},
        "share_revealed": _r(share_rev),
        "latitude": lat,
        "cost_per_contact": cfg.cost_per_contact,
    }
