"""Theme impact on NPS, emerging themes and verbatims.

- :func:`theme_impact`: for each theme, NPS of all respondents minus NPS of those who did
  not mention the theme (negative = the theme pulls NPS down), with a percentile bootstrap
  interval, and a regression-adjusted version: share × coefficient of the theme indicator in
  a linear model of the NPS-coded outcome (+100 promoter, 0 passive, −100 detractor) on all
  theme indicators (and optional covariates such as touchpoint).
- :func:`emerging_themes`: theme share in the last period versus the baseline periods,
  two-proportion z-tests, Benjamini–Hochberg false-discovery control.
- :func:`verbatims`: representative (closest to the theme's centroid) and extreme (most
  negative / positive) redacted quotes per theme.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from cxo.errors import InsufficientDataError, UsageError


def benjamini_hochberg(
    p_values: Sequence[float], alpha: float = 0.05
) -> tuple[list[bool], list[float]]:
    """Benjamini–Hochberg step-up: (rejected, adjusted p-values), in input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return [], []
    order = np.argsort(p, kind="mergesort")
    ranked = p[order] * m / np.arange(1, m + 1)
    adj_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    adj = np.empty(m)
    adj[order] = np.minimum(adj_sorted, 1.0)
    return [bool(a <= alpha) for a in adj], [float(a) for a in adj]


def nps_coded(scores: Iterable[float]) -> np.ndarray:
    """+100 for promoters (9–10), 0 for passives, −100 for detractors (0–6)."""
    s = np.asarray(list(scores), dtype=float)
    return np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0))


@dataclass(frozen=True)
class ThemeImpact:
    """Impact of one theme on NPS (points)."""

    theme: str
    mentions: int
    share: float
    nps_all: float
    nps_without: float
    impact: float
    """NPS of all minus NPS without the theme's mentions."""
    ci_low: float
    ci_high: float
    adjusted_impact: float
    """Share × regression coefficient of the theme (other themes and covariates held fixed)."""
    adjusted_ci_low: float
    adjusted_ci_high: float
    nps_with: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def _indicator(
    theme_sets: Sequence[Iterable[str]], themes: list[str] | None
) -> tuple[np.ndarray, list[str]]:
    sets = [set(s) for s in theme_sets]
    keys = themes if themes is not None else sorted(set().union(*sets)) if sets else []
    m = np.array([[k in s for k in keys] for s in sets], dtype=bool).reshape(len(sets), len(keys))
    return m, keys


def _design(m: np.ndarray, covariates: Sequence[object] | None) -> np.ndarray:
    cols = [np.ones(len(m)), *m.T.astype(float)]
    if covariates is not None:
        cov = np.asarray([str(c) for c in covariates])
        levels = sorted(set(cov))
        cols.extend((cov == lev).astype(float) for lev in levels[1:])
    return np.column_stack(cols)


def _adjusted(x: np.ndarray, y: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    xw = x * w[:, None]
    beta = np.linalg.lstsq(xw.T @ x, xw.T @ y, rcond=None)[0]
    share = (xw[:, 1 : k + 1]).sum(axis=0) / w.sum()
    return np.asarray(share * beta[1 : k + 1])


def theme_impact(
    scores: Sequence[float],
    theme_sets: Sequence[Iterable[str]],
    *,
    themes: list[str] | None = None,
    covariates: Sequence[object] | None = None,
    n_boot: int = 1000,
    n_boot_adjusted: int = 200,
    level: float = 0.95,
    seed: int = 0,
    min_mentions: int = 1,
    counts: Sequence[int] | None = None,
) -> list[ThemeImpact]:
    """Impact of each theme on NPS with bootstrap intervals (sorted, most harmful first).

    ``scores`` are 0–10 NPS answers, ``theme_sets`` the themes of each response's comment.
    The bootstrap resamples responses: replicate ``b`` uses
    ``numpy.random.default_rng(seed).integers(0, n, n)`` drawn in sequence (the first
    ``n_boot_adjusted`` replicates also refit the regression).

    With ``counts`` each entry is a pattern — an NPS answer, a theme set and a covariate —
    that ``counts[i]`` responses share (:func:`cxo.text.impact_data.impact_patterns` builds
    them in the engine, so millions of responses never reach Python). The point estimates
    are the same as on the rows; the bootstrap then draws how often each pattern is resampled
    from ``rng.multinomial(n, counts / n)`` — the law of the row bootstrap's pattern
    frequencies, so the intervals agree in distribution, not draw for draw.
    """
    y = nps_coded(scores)
    rows = len(y)
    if rows != len(theme_sets):
        raise UsageError(f"{rows} scores but {len(theme_sets)} theme sets")
    freq = np.ones(rows) if counts is None else np.asarray(counts, dtype=float)
    if len(freq) != rows or (len(freq) and freq.min() < 1):
        raise UsageError("counts: one positive count per pattern")
    n = int(freq.sum())
    if n < 10:
        raise InsufficientDataError(f"theme impact needs at least 10 scored responses, got {n}")
    m, keys = _indicator(theme_sets, themes)
    keep = freq @ m >= min_mentions
    m, keys = m[:, keep], [k for k, ok in zip(keys, keep, strict=True) if ok]
    k = len(keys)
    if k == 0:
        return []
    mf = m.astype(float)
    x = _design(m, covariates)

    def stats(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        tot_w, tot_y = w.sum(), w @ y
        with_w = w @ mf
        with_y = (w * y) @ mf
        without = (tot_y - with_y) / np.maximum(tot_w - with_w, 1e-12)
        with_nps = with_y / np.maximum(with_w, 1e-12)
        return tot_y / tot_w - without, without, with_nps

    point, without, with_nps = stats(freq)
    adj_point = _adjusted(x, y, freq, k)
    rng = np.random.default_rng(seed)
    boots = np.empty((n_boot, k))
    adj_boots = np.empty((min(n_boot_adjusted, n_boot), k))
    for b in range(n_boot):
        if counts is None:
            w = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        else:
            w = rng.multinomial(n, freq / n).astype(float)
        boots[b] = stats(w)[0]
        if b < len(adj_boots):
            adj_boots[b] = _adjusted(x, y, w, k)
    a = (1 - level) / 2
    lo, hi = np.nanquantile(boots, [a, 1 - a], axis=0)
    alo, ahi = np.nanquantile(adj_boots, [a, 1 - a], axis=0)
    nps_all = float(freq @ y / n)
    mentions = freq @ mf
    out = [
        ThemeImpact(
            theme=keys[j],
            mentions=int(mentions[j]),
            share=float(mentions[j] / n),
            nps_all=nps_all,
            nps_without=float(without[j]),
            impact=float(point[j]),
            ci_low=float(lo[j]),
            ci_high=float(hi[j]),
            adjusted_impact=float(adj_point[j]),
            adjusted_ci_low=float(alo[j]),
            adjusted_ci_high=float(ahi[j]),
            nps_with=float(with_nps[j]),
        )
        for j in range(k)
    ]
    return sorted(out, key=lambda r: r.impact)


@dataclass(frozen=True)
class EmergingTheme:
    """Share of a theme in the last period versus the baseline."""

    theme: str
    period: str
    last_mentions: int
    last_n: int
    last_share: float
    baseline_mentions: int
    baseline_n: int
    baseline_share: float
    ratio: float
    z: float
    p_value: float
    p_adjusted: float
    emerging: bool
    """Share rose and the BH-adjusted p-value is at most ``alpha``."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Pooled two-proportion z statistic and two-sided p-value."""
    from scipy.stats import norm

    if n1 == 0 or n2 == 0:
        return 0.0, 1.0
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / se
    return z, float(2 * norm.sf(abs(z)))


def emerging_themes(
    dates: Sequence[Any],
    theme_sets: Sequence[Iterable[str]],
    *,
    freq: str = "M",
    baseline_periods: int = 6,
    alpha: float = 0.05,
    themes: list[str] | None = None,
) -> list[EmergingTheme]:
    """Themes whose share in the last period rose against the ``baseline_periods`` before it.

    ``freq`` is a pandas period alias (``M`` months, ``W`` weeks, ``Q`` quarters). All themes
    are tested (two-sided, pooled two-proportion z-test); Benjamini–Hochberg controls the false
    discovery rate at ``alpha``; ``emerging`` marks significant rises.
    """
    import pandas as pd

    if len(dates) != len(theme_sets):
        raise UsageError(f"{len(dates)} dates but {len(theme_sets)} theme sets")
    periods = pd.PeriodIndex(pd.to_datetime(pd.Series(list(dates))), freq=freq)
    if len(periods) == 0:
        return []
    last = periods.max()
    in_last = np.asarray(periods == last)
    in_base = np.asarray((periods < last) & (periods >= last - baseline_periods))
    if in_base.sum() == 0:
        raise InsufficientDataError("emerging themes need data before the last period")
    m, keys = _indicator(theme_sets, themes)
    rows = []
    for j, key in enumerate(keys):
        x1, n1 = int(m[in_last, j].sum()), int(in_last.sum())
        x2, n2 = int(m[in_base, j].sum()), int(in_base.sum())
        z, p = two_proportion_z(x1, n1, x2, n2)
        rows.append((key, x1, n1, x2, n2, z, p))
    rejected, adj = benjamini_hochberg([r[6] for r in rows], alpha)
    out = []
    for (key, x1, n1, x2, n2, z, p), rej, pa in zip(rows, rejected, adj, strict=True):
        s1, s2 = x1 / n1 if n1 else 0.0, x2 / n2 if n2 else 0.0
        out.append(
            EmergingTheme(
                theme=key,
                period=str(last),
                last_mentions=x1,
                last_n=n1,
                last_share=s1,
                baseline_mentions=x2,
                baseline_n=n2,
                baseline_share=s2,
                ratio=s1 / s2 if s2 > 0 else math.inf if s1 > 0 else 1.0,
                z=z,
                p_value=p,
                p_adjusted=pa,
                emerging=bool(rej and z > 0),
            )
        )
    return sorted(out, key=lambda r: (not r.emerging, r.p_value))


def verbatims(
    texts: Sequence[str],
    theme_sets: Sequence[Iterable[str]],
    sentiment_scores: Sequence[float],
    *,
    k: int = 3,
    themes: list[str] | None = None,
) -> dict[str, dict[str, list[str]]]:
    """Per theme: ``representative`` (closest to the theme's TF-IDF centroid), ``most_negative``
    and ``most_positive`` quotes. Pass redacted texts: these are for display."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    m, keys = _indicator(theme_sets, themes)
    s = np.asarray(sentiment_scores, dtype=float)
    out: dict[str, dict[str, list[str]]] = {}
    for j, key in enumerate(keys):
        idx = np.flatnonzero(m[:, j] & np.array([bool(t and t.strip()) for t in texts]))
        if len(idx) == 0:
            continue
        sub = [texts[int(i)] for i in idx]
        try:
            x = TfidfVectorizer(sublinear_tf=True, min_df=1).fit_transform(sub)
            centroid = np.asarray(x.mean(axis=0)).ravel()
            sim = x @ centroid
            rep = [sub[i] for i in np.argsort(-sim, kind="mergesort")[:k]]
        except ValueError:  # no tokens at all
            rep = sub[:k]
        order = np.argsort(s[idx], kind="mergesort")
        neg = [sub[i] for i in order[:k] if s[idx][i] < 0]
        pos = [sub[i] for i in order[::-1][:k] if s[idx][i] > 0]
        out[key] = {"representative": rep, "most_negative": neg, "most_positive": pos}
    return out
