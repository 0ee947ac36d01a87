"""Everything the chunks share: the calendar, the charter keys, prices and calibrated shifts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from cxo.core.charter import Charter, template
from cxo.core.themes import THEME_KEYS, THEMES
from cxo.errors import UsageError
from cxo.simulate.config import TENURE_BANDS, SimulationConfig
from cxo.simulate.model import bisect, calibrate_shift, expected_nps

Array = np.ndarray[Any, Any]
EPOCH = date(1970, 1, 1)

USERS_SHARE = 0.5
"""Default share of customers who use an initiative's touchpoint (see ``Initiative``): half of
them, so an initiative's churn effect acts on the customers it can reach; set ``users_share``
on an initiative (1.0: everyone, the simulator before issue 19) to change it."""
SELF_SERVICE_TP = {"service": "portal", "software": "product_use", "retail": "webshop"}
KEY_TOUCHPOINTS = {"hotline", "support", "product_use", "delivery", "webshop", "billing"}
CES_TOUCHPOINTS = {
    "portal",
    "onboarding",
    "hotline",
    "chat",
    "support",
    "product_use",
    "signup",
    "checkout",
    "returns",
    "service",
    "webshop",
    "contract_change",
    "cancellation",
}
TP_OFFSETS = (0.1, -0.05, -0.25, 0.0, 0.15, -0.15, 0.05, -0.1, 0.2)
SEGMENT_OFFSETS = (-0.2, 0.05, 0.3)
TASK_WEIGHTS = (0.25, 0.25, 0.15, 0.15, 0.1, 0.1)
CHANNEL_OF_TP = {
    "hotline": "phone",
    "support": "email",
    "chat": "chat",
    "portal": "web",
    "product_use": "app",
    "webshop": "web",
    "checkout": "web",
    "store": "store",
    "field_service": "onsite",
    "delivery": "email",
    "returns": "web",
    "service": "phone",
}
REGIONS = ("Nord", "Süd", "West", "Ost", "Berlin", "Hamburg", "München", "Ausland")

# Products: (tier, kind) per type; main products are chosen by tier, add-ons on top.
PRODUCTS: dict[str, dict[str, tuple[float, str]]] = {
    "service": {
        "mobile_s": (9.99, "main"),
        "mobile_m": (19.99, "main"),
        "dsl_100": (34.99, "main"),
        "mobile_l": (39.99, "main"),
        "dsl_250": (49.99, "main"),
        "tv_addon": (9.99, "addon"),
    },
    "software": {
        "starter": (29.0, "main"),
        "team": (79.0, "main"),
        "business": (199.0, "main"),
        "analytics_addon": (49.0, "addon"),
    },
    "retail": {
        "club_basic": (4.99, "main"),
        "club_plus": (9.99, "main"),
        "delivery_flat": (7.99, "addon"),
    },
}
CASE_REASONS = {
    "service": (
        ("complaint", 0.2),
        ("defect", 0.15),
        ("billing", 0.25),
        ("request", 0.3),
        ("cancellation", 0.1),
    ),
    "software": (("complaint", 0.15), ("defect", 0.25), ("billing", 0.15), ("request", 0.45)),
    "retail": (
        ("complaint", 0.2),
        ("defect", 0.15),
        ("billing", 0.1),
        ("request", 0.25),
        ("return", 0.3),
    ),
}
CASE_CHANNELS = {
    "service": (("phone", 0.5), ("chat", 0.2), ("email", 0.25), ("letter", 0.05)),
    "software": (("phone", 0.2), ("chat", 0.35), ("email", 0.45)),
    "retail": (("phone", 0.35), ("chat", 0.2), ("email", 0.3), ("store", 0.15)),
}
RESOLUTIONS_CD = (
    ("resolved", 0.35),
    ("refused", 0.15),
    ("goodwill", 0.2),
    ("replacement", 0.15),
    ("refund", 0.15),
)
SALES_CHANNELS = (("online", 0.5), ("shop", 0.2), ("phone", 0.2), ("partner", 0.1))


def day(d: date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def month_index(days: Array) -> Array:
    """Months since 1970-01 of epoch days (vectorised)."""
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


def month_start_day(months: Array) -> Array:
    """Epoch day of the first day of months-since-1970."""
    return (
        np.asarray(months, dtype=np.int64)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def band_of(tenure_months: Array) -> Array:
    """0 for 0-12 months, 1 for 13-24, 2 for 25+."""
    return np.where(tenure_months <= 12, 0, np.where(tenure_months <= 24, 1, 2))


@dataclass
class Cell:
    """A planted pain or null cell with resolved indices."""

    touchpoint: str
    theme: str
    segment: str | None
    tp: int
    theme_idx: int
    seg: int  # −1 = all segments
    share: float = 0.0
    nps_effect: float = 0.0
    churn_effect: float = 0.0
    shift: float = 0.0


@dataclass
class Initiative:
    """A planted initiative with resolved indices."""

    name: str
    touchpoint: str
    tp: int
    start: date
    start_day: int
    nps_effect: float
    churn_effect: float
    shift: float
    users_share: float = USERS_SHARE
    """Share of customers who use the touchpoint: only they answer there, only their churn
    changes, only they can be hurt by a pain planted there."""
    pre_trend: float = 0.0
    """Latent drift at the touchpoint over the 12 months before ``start`` (rising linearly
    from 0 to ``pre_trend``, then kept): a planted violation of parallel trends, 0 unless set."""


@dataclass
class Context:
    """Shared, seed-independent (except prices) setup of one simulation."""

    cfg: SimulationConfig
    charter: Charter
    segments: list[str]
    seg_share: Array
    seg_offset: Array
    base_churn: Array
    touchpoints: list[str]
    tp_weight: Array
    tp_offset: Array
    tp_ces: Array
    tp_channel: list[str]
    attributes: list[str]
    beta: Array
    attr_offset: Array
    products: list[str]
    product_kind: list[str]
    main_products: Array
    addon_products: Array
    price_days: list[Array]
    price_values: list[Array]
    pains: list[Cell]
    nulls: list[Cell]
    theme_candidates: list[Array]
    initiatives: list[Initiative]
    sigma: float
    noise_sd: float
    within_shift: float
    mix_boost: float
    low_segment: int
    as_of_day: int
    end_day: int
    first_signup_day: int
    window_start_day: int
    trend_start_day: int
    months: Array
    window_first_month: int
    de_share: float
    selfservice_tp: int
    tasks: list[str]
    task_weight: Array
    task_success: Array
    ces_probs: dict[str, Array] = field(default_factory=dict)
    penalty: Array = field(default_factory=lambda: np.zeros(3))

    def list_price(self, product: Array, days: Array) -> Array:
        """New-customer price of ``product`` valid on ``days`` (vectorised)."""
        out = np.empty(len(product))
        for p in range(len(self.products)):
            m = product == p
            if m.any():
                idx = np.searchsorted(self.price_days[p], days[m], side="right") - 1
                out[m] = self.price_values[p][np.maximum(idx, 0)]
        return out


def _resolve_cell(raw: dict[str, Any], tps: list[str], segs: list[str], kind: str) -> Cell:
    tp, theme, seg = raw.get("touchpoint"), raw.get("theme"), raw.get("segment")
    if tp not in tps:
        raise UsageError(f"{kind} touchpoint {tp!r} is not in the charter ({', '.join(tps)})")
    if theme not in THEME_KEYS:
        raise UsageError(f"{kind} theme {theme!r} is not a theme key")
    if seg is not None and seg not in segs:
        raise UsageError(f"{kind} segment {seg!r} is not in the charter ({', '.join(segs)})")
    return Cell(
        touchpoint=str(tp),
        theme=str(theme),
        segment=seg,
        tp=tps.index(str(tp)),
        theme_idx=THEME_KEYS.index(str(theme)),
        seg=-1 if seg is None else segs.index(seg),
        share=float(raw.get("share_affected", 0.0)),
        nps_effect=float(raw.get("nps_effect", 0.0)),
        churn_effect=float(raw.get("churn_effect", 0.0)),
    )


def _price_history(
    rng: np.random.Generator, today: float, first_day: int, as_of_day: int
) -> tuple[Array, Array]:
    days = [as_of_day - int(rng.integers(30, 300))]
    while days[-1] > first_day:
        days.append(days[-1] - int(rng.integers(270, 610)))
    days[-1] = first_day
    prices = [today]
    for _ in days[1:]:
        prices.append(round(prices[-1] / (1.0 + rng.uniform(-0.05, 0.10)), 2))
    return np.array(days[::-1], dtype=np.int64), np.array(prices[::-1])


def build_context(cfg: SimulationConfig) -> Context:
    """Resolve the charter keys and calibrate every planted shift."""
    charter = template(cfg.company_type)
    segments = [s.key for s in charter.segments]
    shares = np.array([cfg.segment_shares.get(s, 0.0) for s in segments], dtype=float)
    if shares.sum() <= 0:
        shares = np.ones(len(segments))
    shares = shares / shares.sum()
    seg_offset = np.array([SEGMENT_OFFSETS[i % 3] for i in range(len(segments))])
    base_churn = np.array([cfg.base_churn.get(s, 0.12) for s in segments])
    tps = [tp.key for tp in charter.touchpoints]
    tp_weight = np.array([2.0 if t in KEY_TOUCHPOINTS else 1.0 for t in tps])
    tp_weight /= tp_weight.sum()
    tp_offset = np.array([TP_OFFSETS[i % len(TP_OFFSETS)] for i in range(len(tps))])
    attrs = [a.key for a in charter.attributes]
    beta = _driver_coefficients(cfg, attrs)
    products = [p.key for p in charter.products]
    kinds, main, addon = _product_kinds(cfg, products)
    as_of_day = day(cfg.as_of)
    end_day = as_of_day + 1
    first_signup = day(cfg.as_of - timedelta(days=round(365.25 * cfg.history_years)))
    price_days, price_values = _price_histories(cfg, products, first_signup, as_of_day)
    as_of_month = int(month_index(np.array([as_of_day]))[0])
    first_month = int(month_index(np.array([first_signup]))[0])
    window_first_month = as_of_month - cfg.window_months + 1
    trend_start_day = int(month_start_day(np.array([as_of_month - 24 + 1]))[0])
    sigma = math.sqrt(1.0 - cfg.experience_sd**2)
    noise_sd = math.sqrt(1.0 - cfg.driver_r2 - cfg.experience_sd**2)
    # pains and null cells
    pains = [_resolve_cell(p, tps, segments, "pain") for p in cfg.pains]
    nulls = [_resolve_cell(p, tps, segments, "null cell") for p in cfg.null_cells]
    for cell in pains:
        segs = np.arange(len(segments)) if cell.seg < 0 else np.array([cell.seg])
        eta = tp_offset[cell.tp] + seg_offset[segs]
        cell.shift = calibrate_shift(eta, shares[segs], cell.nps_effect, 1.0)
    inits = _initiatives(cfg, tps, tp_offset, seg_offset, shares, tp_weight)
    _check_pains_fit_users(pains, inits)
    low, boost = _mix_boost(shares, seg_offset, float(cfg.mix_shift))
    within = cfg.within_trend
    if within == "auto":
        span = end_day - trend_start_day
        starts = [(i.tp, i.shift, (i.start_day - trend_start_day) / span) for i in inits]
        within = _calibrate_within(shares, seg_offset, tp_offset, tp_weight, low, boost, starts)
    tasks = list(cfg.tasks)
    de_share = cfg.de_share
    if de_share is None:
        de_share = 0.7 if charter.company.language == "de" else 0.3
    return Context(
        cfg=cfg,
        charter=charter,
        segments=segments,
        seg_share=shares,
        seg_offset=seg_offset,
        base_churn=base_churn,
        touchpoints=tps,
        tp_weight=tp_weight,
        tp_offset=tp_offset,
        tp_ces=np.array([t in CES_TOUCHPOINTS for t in tps]),
        tp_channel=[CHANNEL_OF_TP.get(t, "email") for t in tps],
        attributes=attrs,
        beta=beta,
        attr_offset=np.linspace(0.35, -0.35, len(attrs)),
        products=products,
        product_kind=kinds,
        main_products=main,
        addon_products=addon,
        price_days=price_days,
        price_values=price_values,
        pains=pains,
        nulls=nulls,
        theme_candidates=_theme_candidates(tps, pains, nulls),
        initiatives=inits,
        sigma=sigma,
        noise_sd=noise_sd,
        within_shift=float(within),
        mix_boost=boost,
        low_segment=low,
        as_of_day=as_of_day,
        end_day=end_day,
        first_signup_day=first_signup,
        window_start_day=int(month_start_day(np.array([window_first_month]))[0]),
        trend_start_day=trend_start_day,
        months=np.arange(first_month, as_of_month + 1),
        window_first_month=window_first_month,
        de_share=float(de_share),
        selfservice_tp=tps.index(SELF_SERVICE_TP[cfg.company_type]),
        tasks=tasks,
        task_weight=np.array([TASK_WEIGHTS[i % 6] for i in range(len(tasks))])
        / sum(TASK_WEIGHTS[i % 6] for i in range(len(tasks))),
        task_success=np.array([float(cfg.tasks[t]) for t in tasks]),
        ces_probs={
            "succeeded": _ces_distribution(0.0),
            "failed": _ces_distribution(cfg.ces_failed_shift),
        },
        penalty=np.array([float(cfg.loyalty_penalty[b]) for b in TENURE_BANDS]),
    )


def _driver_coefficients(cfg: SimulationConfig, attrs: list[str]) -> Array:
    """Latent coefficients of the attributes: squares are shares of ``driver_r2``."""
    weights = {a: float(cfg.driver_weights.get(a, 0.0)) for a in attrs}
    unknown = set(cfg.driver_weights) - set(attrs)
    if unknown:
        raise UsageError(f"driver_weights names unknown attributes: {', '.join(sorted(unknown))}")
    total = sum(weights.values())
    if total <= 0:
        raise UsageError("driver_weights must contain a positive weight")
    return np.sqrt(np.array([weights[a] / total for a in attrs]) * cfg.driver_r2)


def _product_kinds(cfg: SimulationConfig, products: list[str]) -> tuple[list[str], Array, Array]:
    """Kind of each product; main products by ascending price (the tiers); add-ons."""
    prod_spec = PRODUCTS[cfg.company_type]
    kinds = [prod_spec[p][1] for p in products]
    main = np.array([i for i, k in enumerate(kinds) if k == "main"])
    main = main[np.argsort([prod_spec[products[i]][0] for i in main], kind="stable")]
    addon = np.array([i for i, k in enumerate(kinds) if k == "addon"])
    return kinds, main, addon


def _price_histories(
    cfg: SimulationConfig, products: list[str], first_signup: int, as_of_day: int
) -> tuple[list[Array], list[Array]]:
    """Each product's list-price changes (own generator: seed, 999 999)."""
    prod_spec = PRODUCTS[cfg.company_type]
    prng = np.random.default_rng([cfg.seed, 999_999])
    price_days, price_values = [], []
    for p in products:
        d, v = _price_history(prng, prod_spec[p][0], first_signup - 60, as_of_day)
        price_days.append(d)
        price_values.append(v)
    return price_days, price_values


def _theme_candidates(tps: list[str], pains: list[Cell], nulls: list[Cell]) -> list[Array]:
    """Theme candidates per touchpoint for random comments: plausible themes minus planted
    ones (topped up with general themes where fewer than two are left)."""
    planted: dict[int, set[str]] = {}
    for cell in pains + nulls:
        planted.setdefault(cell.tp, set()).add(cell.theme)
    all_planted = {c.theme for c in pains + nulls}
    candidates = []
    for i, tp in enumerate(tps):
        keys = [t.key for t in THEMES if tp in t.touchpoints and t.key not in planted.get(i, set())]
        if len(keys) < 2:
            keys += [
                k
                for k in (
                    "price_billing",
                    "communication_clarity",
                    "staff_friendliness",
                    "staff_competence",
                    "product_quality",
                )
                if k not in planted.get(i, set()) and k not in keys and k not in all_planted
            ][: 3 - len(keys)]
        candidates.append(np.array([THEME_KEYS.index(k) for k in keys], dtype=np.int64))
    return candidates


def _initiatives(
    cfg: SimulationConfig,
    tps: list[str],
    tp_offset: Array,
    seg_offset: Array,
    shares: Array,
    tp_weight: Array,
) -> list[Initiative]:
    """The planted initiatives with resolved touchpoints and calibrated shifts."""
    inits = []
    for raw in cfg.initiatives:
        itp = raw.get("touchpoint")
        if itp not in tps:
            raise UsageError(f"initiative touchpoint {itp!r} is not in the charter")
        start = raw["start"] if isinstance(raw["start"], date) else date.fromisoformat(raw["start"])
        ti = tps.index(str(itp))
        eta = tp_offset[ti] + seg_offset
        inits.append(
            Initiative(
                name=str(raw["name"]),
                touchpoint=str(itp),
                tp=ti,
                start=start,
                start_day=day(start),
                nps_effect=float(raw.get("nps_effect", 0.0)),
                churn_effect=float(raw.get("churn_effect", 0.0)),
                shift=calibrate_shift(eta, shares, float(raw.get("nps_effect", 0.0)), 1.0),
                users_share=_users_share(raw, float(tp_weight[ti]) / float(tp_weight.sum())),
                pre_trend=float(raw.get("pre_trend", 0.0)),
            )
        )
    return inits


def _check_pains_fit_users(pains: list[Cell], inits: list[Initiative]) -> None:
    """A pain at an initiative's touchpoint affects only its users: its share of all customers
    must not exceed theirs."""
    for cell in pains:
        q = math.prod(i.users_share for i in inits if i.tp == cell.tp)
        if cell.share > q:
            raise UsageError(
                f"pain {cell.touchpoint} × {cell.theme}: share_affected {cell.share} exceeds the "
                f"share of customers using {cell.touchpoint} ({q:.3f}, users_share of its "
                "initiatives)"
            )


def _users_share(raw: dict[str, Any], weight: float) -> float:
    """The initiative's share of customers using its touchpoint (``users_share``, default
    :data:`USERS_SHARE`); it must exceed the touchpoint's share of responses, since the users
    alone give the touchpoint its usual share of answers."""
    share = float(raw.get("users_share", USERS_SHARE))
    if not weight < share <= 1.0:
        raise UsageError(
            f"initiative {raw.get('name')!r}: users_share {share} must lie in ({weight:.3f}, 1] "
            "(above the touchpoint's share of responses)"
        )
    return share


def _mix_boost(shares: Array, seg_offset: Array, mix_shift: float) -> tuple[int, float]:
    """The lowest segment and its response-weight boost at the end of the last 8 quarters
    (the weight rises linearly so its share of responses grows by ``mix_shift``)."""
    low = int(np.argmin(seg_offset))
    s0, ms = float(shares[low]), mix_shift
    if ms:
        if not 0 <= s0 + ms < 1:
            raise UsageError("mix_shift must keep the lowest segment's share below 1")
        boost = (s0 + ms) * (1 - s0) / (s0 * (1 - s0 - ms)) - 1.0
    else:
        boost = 0.0
    return low, boost


def _ces_distribution(shift: float) -> Array:
    """P(CES = 1..7) for a self-service task: centred on 2.6, ``shift`` points more effort."""
    k = np.arange(1, 8)
    logits = -0.5 * ((k - (2.6 + shift)) / 1.3) ** 2
    p = np.exp(logits)
    return np.asarray(p / p.sum())


def _calibrate_within(
    shares: Array,
    seg_offset: Array,
    tp_offset: Array,
    tp_weight: Array,
    low: int,
    boost: float,
    inits: list[tuple[int, float, float]],
) -> float:
    """Within-segment latent rise over 8 quarters that keeps the expected overall NPS flat.

    ``inits`` are (touchpoint, latent shift, ramp position of the start) of the initiatives,
    so a launch inside the 8 quarters is part of the within-group change.
    """
    if boost == 0:
        return 0.0
    base = seg_offset[:, None] + tp_offset[None, :]

    def overall(r: float, theta: float) -> float:
        w = shares.copy()
        w[low] *= 1 + boost * r
        w /= w.sum()
        eta = base + theta * r
        for tp, shift, start in inits:
            if r >= start:
                eta[:, tp] += shift
        per_seg = (expected_nps(eta, 1.0) * tp_weight[None, :]).sum(axis=1)
        return float((w * per_seg).sum())

    return bisect(lambda th: overall(15 / 16, th) - overall(1 / 16, th), -2.0, 2.0)
