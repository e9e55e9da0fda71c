"""Extract the authors' published Claim 3.2 results into ``src/rflab/sources/lufkin_claim32.json``.

The authors (leonlufkin/Localization) saved their kurtosis-against-IPR sweep as NumPy files in their
repository: ``localization/results/figures/ipr_kurtosis/nlgp_kurtosis_vs_ipr_40.npz`` at 393d50c
(NLGP, 10 gains logspace(-2, 2, 10), 30 seeds, batch 5000) and ``algk_kurtosis_vs_ipr_40.npz`` at
7bd9aa7 (Kur, "AlgQDF"; its first 10 columns are k = 4.1 ... 50, 100 seeds of which 95 were
stored, batch 50,000). Both: N = 40, xi = (0.3, 0.7), 1000 steps, lr 0.1 (``model_sweep.py``).
Each file holds the per-seed final IPR (``iprs``, seeds x points, NaN where a run was missing) and
the kurtosis the figure's x-axis uses (``kurts``: one coordinate, 10^4 samples). This script copies
those numbers, unchanged, into the JSON the report reads. Usage, with a clone of their repository:

    python benchmarks/authors_claim32.py PATH/TO/Localization/.git
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

FOLDER = "localization/results/figures/ipr_kurtosis"
FILES = {"nlgp": ("393d50c", "nlgp_kurtosis_vs_ipr_40.npz", 10), "kur": ("7bd9aa7", "algk_kurtosis_vs_ipr_40.npz", 10)}
GAINS = np.logspace(-2, 2, 10)
TAILS = (4.1, 4.3, 4.5, 4.74, 5.0, 5.4, 6.1, 7.7, 10.0, 50.0)
OUT = Path(__file__).resolve().parents[1] / "src" / "rflab" / "sources" / "lufkin_claim32.json"


def load(git_dir: str, commit: str, name: str) -> dict[str, np.ndarray]:
    """One of their .npz files at a commit, read with ``git show``."""
    blob = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{FOLDER}/{name}"], capture_output=True,
                          check=True).stdout
    with np.load(io.BytesIO(blob), allow_pickle=False) as f:
        return {k: f[k] for k in ("iprs", "kurts")}


def main(git_dir: str) -> None:
    points = []
    for family, (commit, name, count) in FILES.items():
        data = load(git_dir, commit, name)
        params = GAINS if family == "nlgp" else TAILS
        for j, param in enumerate(params[:count]):
            label = f"g={param:.3g}" if family == "nlgp" else f"k={param:g}"
            ipr = [None if np.isnan(v) else float(v) for v in data["iprs"][:, j]]
            points.append({"family": family, "label": label, "param": float(param),
                           "kurtosis_estimated": float(data["kurts"][j]), "ipr": ipr,
                           "source": f"leonlufkin/Localization {commit}:{FOLDER}/{name}, column {j}"})
    OUT.write_text(json.dumps({"repository": "leonlufkin/Localization", "points": points}, indent=1) + "\n")
    print(OUT)


if __name__ == "__main__":
    main(sys.argv[1])
