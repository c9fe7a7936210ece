"""B-spline features as scikit-learn's ``SplineTransformer`` computes them for
one column with ``extrapolation="linear"``, served with numpy.

Inside the fitted range each output is a B-spline basis function (Cox-de Boor
recursion on the transformer's knots); outside it, the ``degree`` basis
functions nearest each end continue linearly from the boundary, and the rest
are 0, as scikit-learn does. ``tests/zoo`` checks the two agree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray


def _basis(x: NDArray[np.float64], knots: NDArray[np.float64], degree: int) -> NDArray[np.float64]:
    """Every basis function of ``degree`` on ``knots`` at ``x`` (inside the base interval)."""
    t = knots
    right_end = t[len(t) - degree - 1]
    # Degree 0: the knot span holding x; the right end of the base interval belongs
    # to the last span, as in scipy.
    b = ((t[:-1][None, :] <= x[:, None]) & (x[:, None] < t[1:][None, :])).astype(np.float64)
    at_end = x == right_end
    if at_end.any():
        span = len(t) - degree - 2
        b[at_end] = 0.0
        b[at_end, span] = 1.0
    for k in range(1, degree + 1):
        left_den = t[k:-1] - t[: -k - 1]
        right_den = t[k + 1 :] - t[1:-k]
        left = np.divide(
            x[:, None] - t[: -k - 1][None, :],
            left_den,
            out=np.zeros((len(x), len(left_den))),
            where=left_den > 0,
        )
        right = np.divide(
            t[k + 1 :][None, :] - x[:, None],
            right_den,
            out=np.zeros((len(x), len(right_den))),
            where=right_den > 0,
        )
        b = left * b[:, :-1] + right * b[:, 1:]
    return b


def _basis_slope(
    x: NDArray[np.float64], knots: NDArray[np.float64], degree: int
) -> NDArray[np.float64]:
    """The derivative of every basis function at ``x``."""
    t = knots
    n = len(t) - degree - 1
    if degree == 0:
        return np.zeros((len(x), n))
    # The bases of one degree less, B[i] for i = 0..n; the first and the last
    # vanish on the base interval, the rest live on the inner knots.
    lower = np.zeros((len(x), n + 1))
    lower[:, 1:-1] = _basis(x, t[1:-1], degree - 1)
    slope = np.zeros((len(x), n))
    for i in range(n):
        left_den = t[i + degree] - t[i]
        right_den = t[i + degree + 1] - t[i + 1]
        if left_den > 0:
            slope[:, i] += degree / left_den * lower[:, i]
        if right_den > 0:
            slope[:, i] -= degree / right_den * lower[:, i + 1]
    return slope


class _Edges(NamedTuple):
    """The fitted range and every basis function's value and slope at its ends."""

    low: float
    high: float
    value_low: NDArray[np.float64]
    value_high: NDArray[np.float64]
    slope_low: NDArray[np.float64]
    slope_high: NDArray[np.float64]


@dataclass(frozen=True)
class SplineFeatures:
    knots: NDArray[np.float64]
    degree: int

    # A frozen dataclass still takes a cached_property: it writes the instance dict.
    @functools.cached_property
    def _edges(self) -> _Edges:
        low = float(self.knots[self.degree])
        high = float(self.knots[len(self.knots) - self.degree - 1])
        ends = np.array([low, high])
        values = _basis(ends, self.knots, self.degree)
        slopes = _basis_slope(ends, self.knots, self.degree)
        return _Edges(low, high, values[0], values[1], slopes[0], slopes[1])

    @classmethod
    def from_transformer(cls, transformer: Any) -> SplineFeatures:
        """The knots and degree of a fitted one-column ``SplineTransformer``."""
        if transformer.extrapolation != "linear" or not transformer.include_bias:
            raise TypeError("expected extrapolation='linear' and include_bias=True")
        (spline,) = transformer.bsplines_
        return cls(np.asarray(spline.t, dtype=np.float64), int(spline.k))

    def transform(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The features of the values ``x`` (one dimension)."""
        edges = self._edges
        n = len(self.knots) - self.degree - 1
        out = np.zeros((len(x), n))
        inside = (x >= edges.low) & (x <= edges.high)
        out[inside] = _basis(x[inside], self.knots, self.degree)
        extended = self.degree + 1 if self.degree <= 1 else self.degree  # as scikit-learn
        below, above = x < edges.low, x > edges.high
        for j in range(extended):
            out[below, j] = edges.value_low[j] + (x[below] - edges.low) * edges.slope_low[j]
            last = n - 1 - j
            out[above, last] = (
                edges.value_high[last] + (x[above] - edges.high) * edges.slope_high[last]
            )
        return out

    def to_params(self) -> dict[str, Any]:
        return {"knots": self.knots.tolist(), "degree": self.degree}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> SplineFeatures:
        return cls(np.array(params["knots"], dtype=np.float64), int(params["degree"]))
