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

from pathlib import Path
from typing import Any

import numpy as np

from rflab.experiments.base import at_scale
from rflab.experiments.receptive_fields import RF_COMMITTEE, RF_ICA, figure_runs, stored_units
from rflab.plots.receptive_fields import figure5

PANELS = (("committee, Kur(10)", RF_COMMITTEE, "kur10"), ("committee, Kur(30)", RF_COMMITTEE, "kur30"),
          ("committee, Kur(4)", RF_COMMITTEE, "kur4"), ("ICA, Kur(3)", RF_ICA, "kur3"))
SCALES: dict[str, tuple[dict[str, Any], dict[str, Any], range, str]] = {
    "paper": ({}, {}, range(5), "paper scale, seeds 0-4"),
    "quick": ({"steps": 1000}, {"samples": 20_000}, range(3), "quick scale: 1000 steps, 2 x 10^4 ICA samples, "
              "seeds 0-2"),
}


def summary(runs: list[dict[str, Any]], n: int) -> str:
    """IPR x N (mean +- std over units and seeds) and the verdict counts over all seeds."""
    ipr = np.concatenate([r["arrays"]["unit_ipr"] for r in runs]) * n
    verdicts = np.concatenate([r["arrays"]["unit_verdict"] for r in runs])
    counts = ", ".join(f"{np.sum(verdicts == v)} {v[:3]}" for v in ("localized", "oscillatory", "unstructured"))
    return f"{len(runs)} seeds: IPR x N {ipr.mean():.1f} +- {ipr.std(ddof=1):.1f}\n{counts} of {len(verdicts)} units"


def make(out_dir: Path, scale: str = "paper") -> list[Path]:
    """Train (or load) the committees and ICA and write ``fig5-{scale}.png`` into ``out_dir``."""
    trained, ica, seeds, note = at_scale(SCALES, scale)
    panels = []
    for title, experiment, preset in PANELS:
        cfg, runs = figure_runs(experiment, preset, ica if experiment is RF_ICA else trained, list(seeds))
        panels.append({"title": title, "fields": runs[0]["arrays"]["fields"][-1],
                       "units": stored_units(runs[0]["arrays"]), "summary": summary(runs, cfg.N)})
    out_dir.mkdir(parents=True, exist_ok=True)
    return [figure5(panels, out_dir / f"fig5-{scale}.png", note)]
