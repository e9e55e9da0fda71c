"""What a claim is and how it is judged: the verdicts and their rules, the finding a judge returns,
and the small formatting and reading helpers every judge shares.

A judge is a function ``Evidence -> Finding``. It reads every measured number from the evidence (by
attribute, through the schemas of the runs' metrics and the figures' numbers), applies the rule its
reason states, and returns one of the verdicts below; a judge whose evidence is not stored raises
``Missing`` and the claim reads *not run*. Only *not checkable* may be
returned without a measurement, and its reason says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rflab.metrics.receptive_fields import LOCALIZED_IPR
from rflab.report.evidence import Evidence
from rflab.results.store import StoredRun
from rflab.schema import Missing

REPRODUCED, NOT_REPRODUCED, DIFFERS, NOT_RUN, NOT_CHECKABLE = (
    "reproduced", "not reproduced", "differs", "not run", "not checkable")
VERDICTS = (REPRODUCED, DIFFERS, NOT_REPRODUCED, NOT_CHECKABLE, NOT_RUN)
RULES = {
    REPRODUCED: "the measurement agrees with the claim: a number within the tolerance the row states, a "
                "qualitative statement holding for the quantity the row names (mean over seeds unless it says "
                "every seed)",
    DIFFERS: "part of the claim holds and part does not, or it holds in a different form; the reason says which",
    NOT_REPRODUCED: "the measurement contradicts the claim",
    NOT_CHECKABLE: "the claim cannot be tested with what rflab measures (a quantity defined elsewhere and not "
                   "available to us); the reason says why",
    NOT_RUN: "the evidence is not in the store yet; the reason names the command that produces it",
}


@dataclass(frozen=True)
class Finding:
    """What was measured (text with the numbers), the verdict and why."""

    measured: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class Claim:
    """One claim: its topic, text, public source and judge."""

    topic: str
    text: str
    source: str
    judge: Callable[[Evidence], Finding]

    def finding(self, ev: Evidence) -> Finding:
        """The judge's finding, or ``not run`` naming what is missing."""
        try:
            return self.judge(ev)
        except Missing as e:
            return Finding("", NOT_RUN, str(e))


def graded(passed: int, total: int) -> str:
    """All of ``total`` checks passed: reproduced; some: differs; none: not reproduced."""
    return REPRODUCED if passed == total else DIFFERS if passed else NOT_REPRODUCED


def g(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits."""
    return f"{x:.{digits}g}"


def ms(values: Sequence[float], digits: int = 3) -> str:
    """Mean +- standard deviation (ddof 1) over seeds, or the value for one seed."""
    v = np.asarray(values, float)
    return g(v[0], digits) if len(v) == 1 else f"{g(v.mean(), digits)} +- {g(v.std(ddof=1), 2)}"


def seeds(runs: Sequence[StoredRun]) -> str:
    """The seed range of stored runs, for a finding's text."""
    return f"seeds {runs[0].seed}-{runs[-1].seed}" if len(runs) > 1 else f"seed {runs[0].seed}"


def close(measured: float, claimed: float, rel: float) -> bool:
    """|measured - claimed| <= rel |claimed|."""
    return abs(measured - claimed) <= rel * abs(claimed)


def off_by(measured: float, claimed: float) -> str:
    """How far a measurement is from a claimed value, in percent of the claim."""
    return f"{100 * abs(measured - claimed) / abs(claimed):.1f}% away"


def lowest_knn(runs: Sequence[StoredRun], latents: Sequence[str]) -> float:
    """The lowest held-out kNN R^2 of any of ``latents`` over the runs."""
    return min(r.metrics.knn_r2[n] for r in runs for n in latents)


def threshold(n: int) -> float:
    """The IPR above which a field on n sites counts as localized (4/n)."""
    return LOCALIZED_IPR / n


def localized_share(runs: Sequence[StoredRun]) -> float:
    """Share of all units over all runs whose verdict is localized."""
    verdicts = [v for r in runs for v in r.metrics.verdicts]
    return float(np.mean([v == "localized" for v in verdicts]))


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation."""
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def names(items: Sequence[str]) -> str:
    """A readable list: 'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"
