"""Figure 5 of Lufkin, Saxe & Grant (2024): committee machines on Kur(k) data and ICA.

Soft committee machines (K = 10 sigmoid units with trainable biases, fixed 1/K readout, init scale
0.1, lr 100, batch 1000, 5000 steps, N = 100) on Kur(10), Kur(30) and Kur(4): by Claim 3.2 the
platykurtic marginals (k = 10, 30: excess kurtosis < 0) localize and the heavy-tailed Kur(4) does
not. Beside them, FastICA on pooled Kur(3) samples (N = 40, 10^5 samples, 40 components).
``paper`` scale: those settings, seeds 0-4 (``rflab run rf-committee --preset kur10 --seeds 0-4``,
..., ``rflab run rf-ica --preset kur3 --seeds 0-4``); ``quick``: 1000 steps, 2 x 10^4 ICA samples,
seeds 0-2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rflab.experiments.receptive_fields import stored_units
from rflab.figures.base import Figure, Inputs, Scale
from rflab.metrics.receptive_fields import VERDICTS
from rflab.plots.receptive_fields import figure5
from rflab.results.cache import RunSpec
from rflab.results.store import StoredRun

PANELS = (("committee, Kur(10)", "rf-committee", "kur10"), ("committee, Kur(30)", "rf-committee", "kur30"),
          ("committee, Kur(4)", "rf-committee", "kur4"), ("ICA, Kur(3)", "rf-ica", "kur3"))


def scale(committee: Mapping[str, Any], ica: Mapping[str, Any], seeds: Sequence[int], note: str) -> Scale[None]:
    """Each panel's preset with the committee's or ICA's overrides, on ``seeds``."""
    return Scale({preset: RunSpec(experiment, preset, ica if experiment == "rf-ica" else committee, tuple(seeds))
                  for _, experiment, preset in PANELS}, note)


def summary(runs: list[StoredRun], n: int) -> str:
    """IPR x N (mean +- std over units and seeds) and the verdict counts over all seeds."""
    ipr = np.concatenate([r.arrays()["unit_ipr"] for r in runs]) * n
    verdicts = np.concatenate([r.arrays()["unit_verdict"] for r in runs])
    counts = ", ".join(f"{np.sum(verdicts == v)} {v[:3]}" for v in VERDICTS)
    return f"{len(runs)} seeds: IPR x N {ipr.mean():.1f} +- {ipr.std(ddof=1):.1f}\n{counts} of {len(verdicts)} units"


def make(inputs: Inputs[None]) -> list[Path]:
    """Write ``fig5-SCALE.png``: each panel's fields of seed 0 and its summary over every seed."""
    panels = []
    for title, _, preset in PANELS:
        runs = inputs.runs[preset]
        panels.append({"title": title, "fields": runs[0].arrays()["fields"][-1],
                       "units": stored_units(runs[0].arrays()), "summary": summary(runs, inputs.config(preset).N)})
    return [figure5(panels, inputs.file(".png"), inputs.scale.note)]


FIGURES = (Figure(
    "fig5", "Lufkin et al. Fig. 5: committee machines on Kur(10), Kur(30), Kur(4); ICA on Kur(3)",
    {"paper": scale({}, {}, range(5), "paper scale, seeds 0-4"),
     "quick": scale({"steps": 1000}, {"samples": 20_000}, range(3), "quick scale: 1000 steps, 2 x 10^4 ICA samples, "
                    "seeds 0-2")},
    make),)
