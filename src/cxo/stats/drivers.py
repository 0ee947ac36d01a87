"""Key-driver analysis: Johnson's relative weights and the Shapley/LMG decomposition of R².

Both methods split the R² of a linear regression of ``y`` on the drivers ``X`` into shares
that sum to R², even when the drivers are correlated:

* **Relative weights** (Johnson 2000, *Multivariate Behavioral Research* 35:1–19): with the
  correlation matrix ``Rxx = V Λ Vᵀ`` of the drivers, ``Λ* = V Λ^½ Vᵀ`` relates the drivers to
  their closest orthogonal counterparts ``Z``; ``β = Λ*⁻¹ rxy`` are the weights of ``y`` on
  ``Z`` and the raw weight of driver ``j`` is ``εⱼ = Σₖ Λ*ⱼₖ² βₖ²``. Raw weights sum to R².
* **LMG / Shapley** (Lindeman, Merenda & Gold 1980; Grömping 2006, R package ``relaimpo``):
  the average increase in R² when driver ``j`` joins, over all orders of entry. Computed
  exactly from the R² of all ``2ᵖ`` driver subsets (``p ≤ 15``). The subset R² come from one
  vectorised recursion over the correlation matrix: subsets are built variable by variable and
  adding a variable is one Gaussian-elimination (sweep) step on the Schur complement, applied
  to every subset and every bootstrap resample at once.

Everything is computed from correlation matrices, so the bootstrap resamples *sufficient
statistics*, never rows: rows are summed into ``G`` groups (each row its own group when
``n ≤ G``; otherwise rows are assigned to ``G`` groups at random, a cluster bootstrap of iid
clusters), and every resample is a multinomial weight vector over the groups (``W @ S`` in one
matrix product). On a workspace the engine computes the groups' sums itself
(:mod:`cxo.stats.driver_sums`, :func:`drivers_from_stats`): no row reaches Python.

**Missing values** are explicit: ``missing="listwise"`` (default) keeps rows where ``y`` and
every driver are present; ``missing="pairwise"`` computes each correlation from the rows where
both variables are present (the matrix may then be indefinite; negative eigenvalues are set to
zero and a note says so). ``na_values`` lists codes that mean "not applicable" (for example
``0`` on a 1–5 scale) and are treated as missing, either for all columns (a sequence) or per
column (a mapping).

**Drivers not different from zero**: raw weights are never negative, so an interval of the
weight itself cannot test "no effect". Following Tonidandel, LeBreton & Johnson (2009,
*Psychological Methods* 14:387–399) a random normal variable is added to the drivers, and a
driver counts as significant when the bootstrap interval of its weight *minus* the random
variable's weight lies above zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxo.errors import InsufficientDataError, UsageError

Missing = Literal["listwise", "pairwise"]
Method = Literal["relative_weights", "lmg"]
FloatArray = npt.NDArray[np.float64]

MAX_LMG_DRIVERS = 15
DEFAULT_GROUPS = 2000
_EPS = 1e-10
NOT_PSD = "not_psd"
"""Note: the pairwise correlation matrix had negative eigenvalues (set to zero)."""
PAIRWISE = "pairwise_deletion"
"""Note: pairwise deletion; ``n_`` is the smallest pair count."""
NOTES = (NOT_PSD, PAIRWISE)


@dataclass(frozen=True)
class DriverResult:
    """A decomposition of R² over the drivers, with bootstrap intervals.

    ``weights_`` are the raw shares (they sum to ``r2_``); ``rescaled_`` are percent of R²
    (they sum to 100). ``ci_low_``/``ci_high_`` are percentile intervals of the raw weights;
    ``significant_`` is ``True`` where the driver beats a random variable (see module docs) and
    ``None`` when no bootstrap was run. ``notes`` are keys of the caveats that apply
    (:data:`NOTES`); the renderer words them.
    """

    method: Method
    weights_: pd.Series
    rescaled_: pd.Series
    r2_: float
    n_: int
    missing: Missing
    ci_low_: pd.Series | None = None
    ci_high_: pd.Series | None = None
    significant_: pd.Series | None = None
    level: float = 0.95
    n_boot: int = 0
    notes: tuple[str, ...] = ()
    target: str = "y"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def drivers(self) -> list[str]:
        """Driver names in input order."""
        return [str(c) for c in self.weights_.index]

    def ranking(self) -> list[str]:
        """Driver names, most important first."""
        return [str(c) for c in self.weights_.sort_values(ascending=False).index]

    def to_frame(self) -> pd.DataFrame:
        """One row per driver: weight, percent, interval, significance (most important first)."""
        frame = pd.DataFrame({"weight": self.weights_, "percent": self.rescaled_})
        if self.ci_low_ is not None and self.ci_high_ is not None:
            frame["ci_low"] = self.ci_low_
            frame["ci_high"] = self.ci_high_
        if self.significant_ is not None:
            frame["significant"] = self.significant_
        return frame.sort_values("weight", ascending=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        rows = []
        for name, row in self.to_frame().iterrows():
            item: dict[str, Any] = {"driver": str(name)}
            for key, value in row.items():
                if isinstance(value, bool | np.bool_):
                    item[str(key)] = bool(value)
                else:
                    item[str(key)] = _num(value)
            rows.append(item)
        return {
            "method": self.method,
            "target": self.target,
            "r2": _num(self.r2_),
            "n": self.n_,
            "missing": self.missing,
            "level": self.level,
            "n_boot": self.n_boot,
            "drivers": rows,
            "note_messages": [self.note_message(key) for key in self.notes],
        }

    def note_message(self, key: str) -> dict[str, Any]:
        """A caveat as a catalogue message (``{"message", "params"}``) for the renderer."""
        params: dict[str, Any] = {"pairs": self.n_} if key == PAIRWISE else {}
        return {"message": f"drivers.note.{key}", "params": params}


def _num(value: Any) -> float | None:
    v = float(value)
    return None if math.isnan(v) else v


# --------------------------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------------------------


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if hasattr(X, "to_pandas"):  # polars, pyarrow
        frame = X.to_pandas()
        if isinstance(frame, pd.DataFrame):
            return frame
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        return pd.DataFrame(X.to_numpy(), columns=list(X.columns))
    raise UsageError("X must be a pandas or polars DataFrame of drivers")


def _as_series(y: Any, n: int) -> pd.Series:
    if isinstance(y, pd.Series):
        series = y.reset_index(drop=True)
    elif hasattr(y, "to_pandas"):
        series = y.to_pandas().reset_index(drop=True)
    else:
        series = pd.Series(np.asarray(y))
    if len(series) != n:
        raise UsageError(f"y has {len(series)} values but X has {n} rows")
    return series


def prepare(
    X: Any,
    y: Any,
    *,
    na_values: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
) -> tuple[FloatArray, list[str], str]:
    """``(data, driver names, target name)``: drivers then target as float columns, NaN = missing.

    ``na_values`` codes are replaced by NaN (all columns for a sequence, per column for a
    mapping).
    """
    frame = _as_frame(X)
    if frame.shape[1] == 0:
        raise UsageError("no drivers given")
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise UsageError("driver names must be unique")
    target = _as_series(y, len(frame))
    cols = []
    for col in frame.columns:
        cols.append(
            pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        )
    cols.append(pd.to_numeric(target, errors="coerce").to_numpy(dtype=float, na_value=np.nan))
    data = np.column_stack(cols)
    if na_values is not None:
        if isinstance(na_values, Mapping):
            for name, codes in na_values.items():
                if name not in names and name != str(target.name):
                    raise UsageError(f"na_values names unknown column {name!r}")
                j = names.index(name) if name in names else len(names)
                data[np.isin(data[:, j], np.asarray(list(codes), dtype=float)), j] = np.nan
        else:
            all_codes = np.asarray(list(na_values), dtype=float)
            data[:, :-1][np.isin(data[:, :-1], all_codes)] = np.nan
    return data, names, str(target.name) if target.name is not None else "y"


# --------------------------------------------------------------------------------------------
# sufficient statistics and correlation matrices
# --------------------------------------------------------------------------------------------


def group_stats(
    data: FloatArray, *, groups: int = DEFAULT_GROUPS, rng: np.random.Generator | None = None
) -> FloatArray:
    """Per-group sufficient statistics for pairwise correlations, shape ``(G, 4, k, k)``.

    For variables ``i, j`` over the rows where both are present: count, Σxᵢ, Σxᵢ², Σxᵢxⱼ.
    Rows are their own groups when ``n ≤ groups``; otherwise they are spread over ``groups``
    groups at random.
    """
    n, k = data.shape
    mask = ~np.isnan(data)
    xz = np.where(mask, data, 0.0)
    if n <= groups:
        m = mask.astype(float)
        out = np.empty((n, 4, k, k))
        out[:, 0] = m[:, :, None] * m[:, None, :]
        out[:, 1] = xz[:, :, None] * m[:, None, :]
        out[:, 2] = (xz * xz)[:, :, None] * m[:, None, :]
        out[:, 3] = xz[:, :, None] * xz[:, None, :]
        return out
    rng = rng or np.random.default_rng(0)
    assign = np.asarray(rng.integers(0, groups, size=n), dtype=np.int64)
    order = np.argsort(assign, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(assign, minlength=groups))])
    out = np.zeros((groups, 4, k, k))
    # A loop over groups (not rows, not resamples): each gathers its rows and does four small
    # GEMMs. Gathering per group, not the whole sorted copy at once, halves the time at
    # millions of rows (no large temporary arrays).
    for g in range(groups):
        lo, hi = bounds[g], bounds[g + 1]
        if hi <= lo:
            continue
        rows = order[lo:hi]
        xg, mg = xz[rows], mask[rows].astype(float)
        out[g, 0] = mg.T @ mg
        out[g, 1] = xg.T @ mg
        out[g, 2] = (xg * xg).T @ mg
        out[g, 3] = xg.T @ xg
    return out


def corr_from_stats(stats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Pairwise correlation matrices (and pair counts) from summed statistics ``(..., 4, k, k)``."""
    cnt = stats[..., 0, :, :]
    sx = stats[..., 1, :, :]
    sxx = stats[..., 2, :, :]
    sxy = stats[..., 3, :, :]
    sy = np.swapaxes(sx, -1, -2)
    syy = np.swapaxes(sxx, -1, -2)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = sxy - sx * sy / cnt
        vx = sxx - sx * sx / cnt
        vy = syy - sy * sy / cnt
        corr = cov / np.sqrt(vx * vy)
    k = corr.shape[-1]
    idx = np.arange(k)
    corr[..., idx, idx] = 1.0
    return corr, cnt


# --------------------------------------------------------------------------------------------
# the two decompositions, batched over a stack of correlation matrices
# --------------------------------------------------------------------------------------------


def relative_weights_from_corr(corr: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """Raw relative weights ``(..., p)`` and R² ``(...)`` from correlation matrices ``(..., k, k)``.

    The last variable is the target. Returns also whether any eigenvalue had to be clipped.
    """
    rxx = corr[..., :-1, :-1]
    rxy = corr[..., :-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    clipped = bool(np.any(evals < -1e-10))
    evals = np.clip(evals, 0.0, None)
    lam = (evecs * np.sqrt(evals)[..., None, :]) @ np.swapaxes(evecs, -1, -2)
    # β = Λ*⁻¹ rxy; Λ* is symmetric PSD, use its pseudo-inverse via the eigenbasis
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sqrt = np.where(evals > _EPS, 1.0 / np.sqrt(np.where(evals > _EPS, evals, 1.0)), 0.0)
    lam_inv = (evecs * inv_sqrt[..., None, :]) @ np.swapaxes(evecs, -1, -2)
    beta = np.einsum("...ij,...j->...i", lam_inv, rxy)
    raw = np.einsum("...ij,...j->...i", lam * lam, beta * beta)
    return raw, raw.sum(axis=-1), clipped


def subset_r2(corr: FloatArray) -> FloatArray:
    """R² of every driver subset, shape ``(2ᵖ, ...)`` indexed by bitmask (bit j = driver j).

    The recursion adds drivers one at a time: a subset's Schur complement on the remaining
    variables, after eliminating driver ``j``, is ``A[1:,1:] − A[1:,0]A[0,1:]/A[0,0]``; all
    subsets (and all leading batch dimensions) are processed together.
    """
    k = corr.shape[-1]
    p = k - 1
    cur = corr[None, ...]
    for _ in range(p):
        pivot = cur[..., 0:1, 0:1]
        col = cur[..., 1:, 0:1]
        row = cur[..., 0:1, 1:]
        rest = cur[..., 1:, 1:]
        ok = pivot > _EPS  # a driver that adds nothing (collinear) leaves the subset unchanged
        with np.errstate(divide="ignore", invalid="ignore"):
            taken = np.where(ok, rest - col * row / np.where(ok, pivot, 1.0), rest)
        cur = np.concatenate([rest, taken], axis=0)
    r2: FloatArray = 1.0 - cur[..., 0, 0]
    return r2


def lmg_from_corr(corr: FloatArray) -> tuple[FloatArray, FloatArray]:
    """LMG shares ``(..., p)`` and R² ``(...)`` from correlation matrices (target last)."""
    p = corr.shape[-1] - 1
    if p > MAX_LMG_DRIVERS + 1:
        raise UsageError(f"LMG is exact up to {MAX_LMG_DRIVERS} drivers; got {p}")
    r2 = subset_r2(corr)
    masks = np.arange(2**p)
    size = np.zeros(2**p, dtype=np.int64)
    for j in range(p):
        size += (masks >> j) & 1
    fact = np.array([math.factorial(i) for i in range(p + 1)], dtype=float)
    out = np.empty((*corr.shape[:-2], p))
    for j in range(p):
        without = masks[((masks >> j) & 1) == 0]
        s = size[without]
        w = fact[s] * fact[p - s - 1] / fact[p]
        gain = r2[without | (1 << j)] - r2[without]
        out[..., j] = np.tensordot(w, gain, axes=(0, 0))
    return out, r2[-1]


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def relative_weights(
    X: Any,
    y: Any,
    *,
    missing: Missing = "listwise",
    na_values: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
    n_boot: int = 0,
    level: float = 0.95,
    seed: int = 0,
    groups: int = DEFAULT_GROUPS,
) -> DriverResult:
    """Johnson's relative weights of the drivers ``X`` for the target ``y``.

    ``n_boot > 0`` adds percentile intervals and the random-variable significance test.
    """
    return key_drivers(
        X,
        y,
        method="relative_weights",
        missing=missing,
        na_values=na_values,
        n_boot=n_boot,
        level=level,
        seed=seed,
        groups=groups,
    )


def shapley_r2(
    X: Any,
    y: Any,
    *,
    missing: Missing = "listwise",
    na_values: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
    n_boot: int = 0,
    level: float = 0.95,
    seed: int = 0,
    groups: int = DEFAULT_GROUPS,
) -> DriverResult:
    """Shapley decomposition of R² (LMG), exact for up to 15 drivers."""
    return key_drivers(
        X,
        y,
        method="lmg",
        missing=missing,
        na_values=na_values,
        n_boot=n_boot,
        level=level,
        seed=seed,
        groups=groups,
    )


def key_drivers(
    X: Any,
    y: Any,
    *,
    method: Method = "relative_weights",
    missing: Missing = "listwise",
    na_values: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
    n_boot: int = 0,
    level: float = 0.95,
    seed: int = 0,
    groups: int = DEFAULT_GROUPS,
) -> DriverResult:
    """Relative weights or LMG with optional bootstrap (see the module docs)."""
    data, names, target = prepare(X, y, na_values=na_values)
    return drivers_from_array(
        data,
        names,
        target=target,
        method=method,
        missing=missing,
        n_boot=n_boot,
        level=level,
        seed=seed,
        groups=groups,
    )


def drivers_from_array(
    data: FloatArray,
    names: list[str],
    *,
    target: str = "y",
    method: Method = "relative_weights",
    missing: Missing = "listwise",
    n_boot: int = 0,
    level: float = 0.95,
    seed: int = 0,
    groups: int = DEFAULT_GROUPS,
) -> DriverResult:
    """The decomposition on a float array (drivers then target, NaN = missing)."""
    _check_arguments(method, missing, len(names))
    if missing == "listwise":
        data = data[~np.isnan(data).any(axis=1)]
    rng = np.random.default_rng(seed)
    data_r = _with_random_variable(data, rng) if n_boot > 0 else data
    # Without a bootstrap only the totals matter: one group (the per-group statistics cost
    # thousands of small matrix products).
    stats = group_stats(data_r, groups=groups if n_boot > 0 else 1, rng=rng)
    return drivers_from_stats(
        stats,
        names,
        rows=len(data),
        target=target,
        method=method,
        missing=missing,
        n_boot=n_boot,
        level=level,
        rng=rng,
        random_variable=n_boot > 0,
    )


def drivers_from_stats(
    stats: FloatArray,
    names: list[str],
    *,
    rows: int,
    target: str = "y",
    method: Method = "relative_weights",
    missing: Missing = "listwise",
    n_boot: int = 0,
    level: float = 0.95,
    rng: np.random.Generator | None = None,
    random_variable: bool = False,
) -> DriverResult:
    """The decomposition from per-group sufficient statistics ``(G, 4, k, k)`` (see
    :func:`group_stats`): the drivers, then (``random_variable``) the random normal variable of
    the significance test, then the target.

    ``rows`` is the number of observations summed (the complete rows for ``listwise``). The
    bootstrap (``n_boot > 0``, needs ``random_variable``) resamples the ``G`` groups: iid
    groups of rows, so any ``G`` in the hundreds or more gives the row bootstrap's spread.
    """
    _check_arguments(method, missing, len(names))
    p = len(names)
    if n_boot > 0 and not random_variable:
        raise UsageError("the bootstrap needs the random variable's statistics")
    keep = [*list(range(p)), p + 1] if random_variable else list(range(p + 1))
    corr, cnt = _checked_correlation(stats.sum(axis=0), keep, names, target, rows)
    weights, r2 = _decompose(corr, method)
    notes: list[str] = []
    n_used = rows
    if method == "relative_weights" and np.any(np.linalg.eigvalsh(corr[:-1, :-1]) < -1e-10):
        notes.append(NOT_PSD)
    if missing == "pairwise":
        n_used = int(cnt[np.ix_(keep, keep)].min())
        notes.append(PAIRWISE)
    index = pd.Index(names, name="driver")
    w = pd.Series(weights, index=index, name="weight")
    rescaled = pd.Series(
        100.0 * weights / r2 if r2 > 0 else np.full(p, np.nan), index=index, name="percent"
    )
    if n_boot <= 0:
        return DriverResult(
            method,
            w,
            rescaled,
            float(r2),
            n_used,
            missing,
            level=level,
            notes=tuple(notes),
            target=target,
        )
    rng = rng if rng is not None else np.random.default_rng(0)
    bw, lo, hi, sig = _bootstrap(stats, keep, method, n_boot, level, rng)
    return DriverResult(
        method,
        w,
        rescaled,
        float(r2),
        n_used,
        missing,
        ci_low_=pd.Series(lo, index=index, name="ci_low"),
        ci_high_=pd.Series(hi, index=index, name="ci_high"),
        significant_=pd.Series(sig, index=index, name="significant"),
        level=level,
        n_boot=n_boot,
        notes=tuple(notes),
        target=target,
        extra={"boot_weights": bw},
    )


def _check_arguments(method: str, missing: str, p: int) -> None:
    if missing not in ("listwise", "pairwise"):
        raise UsageError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")
    if method not in ("relative_weights", "lmg"):
        raise UsageError(f"method must be 'relative_weights' or 'lmg', not {method!r}")
    if method == "lmg" and p > MAX_LMG_DRIVERS:
        raise UsageError(
            f"LMG is exact for up to {MAX_LMG_DRIVERS} drivers; got {p}",
            hint="use relative weights (method='relative_weights') for more drivers",
        )


def _with_random_variable(data: FloatArray, rng: np.random.Generator) -> FloatArray:
    """The drivers, a standard normal variable (missing where the target is), the target."""
    noise = rng.standard_normal(len(data))
    noise[np.isnan(data[:, -1])] = np.nan
    return np.column_stack([data[:, :-1], noise, data[:, -1]])


def _checked_correlation(
    total: FloatArray, keep: list[int], names: list[str], target: str, rows: int
) -> tuple[FloatArray, FloatArray]:
    """The correlation matrix of the drivers and the target (columns ``keep`` of the summed
    statistics ``total``) and the pair counts of all columns; ``InsufficientDataError`` when
    too few rows, a constant column or a never-observed pair make it meaningless."""
    p = len(names)
    corr_all, cnt = corr_from_stats(total)
    min_pairs = float(cnt.min())
    if min_pairs < p + 3 or rows < p + 3:
        raise InsufficientDataError(
            f"too few complete observations for {p} drivers "
            f"(smallest pair count {int(min_pairs)}, need at least {p + 3})"
        )
    corr = corr_all[np.ix_(keep, keep)]
    diag = np.arange(total.shape[-1])
    var = total[2, diag, diag] - total[1, diag, diag] ** 2 / np.maximum(total[0, diag, diag], 1)
    scale = np.maximum(total[2, diag, diag] / np.maximum(total[0, diag, diag], 1), 1.0)
    flat_var = var[keep] <= 1e-12 * scale[keep]
    if flat_var[-1]:
        raise InsufficientDataError(f"the target {target!r} does not vary")
    if flat_var.any():
        bad = [names[i] for i in range(p) if flat_var[i]]
        raise InsufficientDataError(f"drivers without variance: {', '.join(bad)}")
    if np.isnan(corr).any():
        raise InsufficientDataError("some pairs of variables are never observed together")
    return corr, cnt


def _bootstrap(
    stats: FloatArray,
    keep: list[int],
    method: Method,
    n_boot: int,
    level: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Bootstrap weights, their percentile interval and the random-variable test.

    Multinomial weights over the groups of ``stats`` (drivers, the random variable, the
    target), all resamples in blocks of matrix operations. Returns the resampled weights
    ``(n_boot, p)``, the interval bounds and whether each driver beats the random variable.
    """
    p = len(keep) - 1
    g = stats.shape[0]
    flat = stats.reshape(g, -1)
    alpha = (1.0 - level) / 2.0
    boots: list[FloatArray] = []
    diffs: list[FloatArray] = []
    block = max(1, min(n_boot, 4_000_000 // max(1, flat.shape[1] * 8)))
    if method == "lmg":
        block = max(1, min(block, 2**20 // 2 ** (p + 1)))
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        counts = rng.multinomial(g, np.full(g, 1.0 / g), size=b).astype(float)
        boot_stats = (counts @ flat).reshape(b, *stats.shape[1:])
        c_all, _ = corr_from_stats(boot_stats)
        c_all = np.nan_to_num(c_all, nan=0.0)
        w_main, _ = _decompose(c_all[:, keep][:, :, keep], method)
        w_rand, _ = _decompose(c_all, method)
        boots.append(w_main)
        diffs.append(w_rand[:, :p] - w_rand[:, p : p + 1])
        done += b
    bw = np.concatenate(boots)
    bd = np.concatenate(diffs)
    lo = np.quantile(bw, alpha, axis=0)
    hi = np.quantile(bw, 1.0 - alpha, axis=0)
    sig = np.quantile(bd, alpha, axis=0) > 0.0
    return bw, lo, hi, sig


def _decompose(corr: FloatArray, method: Method) -> tuple[FloatArray, FloatArray]:
    if method == "relative_weights":
        w, r2, _ = relative_weights_from_corr(corr)
        return w, r2
    return lmg_from_corr(corr)


# --------------------------------------------------------------------------------------------
# importance–performance
# --------------------------------------------------------------------------------------------

Quadrant = Literal["concentrate_here", "keep_up", "low_priority", "possible_overkill"]

QUADRANTS: tuple[Quadrant, ...] = (
    "concentrate_here",
    "keep_up",
    "low_priority",
    "possible_overkill",
)
"""The four quadrants (labels in the catalogue: ``drivers.quadrant.<name>``)."""


def quadrant(importance: float, performance: float, imp_cut: float, perf_cut: float) -> Quadrant:
    """Martilla & James (1977) quadrant of one attribute (cut-offs: the means of the group)."""
    high_imp = importance >= imp_cut
    high_perf = performance >= perf_cut
    if high_imp and not high_perf:
        return "concentrate_here"
    if high_imp:
        return "keep_up"
    if not high_perf:
        return "low_priority"
    return "possible_overkill"
