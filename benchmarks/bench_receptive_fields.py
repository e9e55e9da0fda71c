"""rf-neuron at the Fig. 3 settings against the authors' procedure, measured in the same run.

Two cases, one ReLU neuron, N = 40, lr 0.05, init scale 1e-3:
1. NLGP g = 100, xi = (1, 3), batch 10^4, 2000 steps;
2. Ising J = (0.3, 0.7), batch 500, 2000 steps (the authors draw each sample with a 2000-proposal
   Metropolis chain; rflab samples the ring exactly).

rflab's time is the whole ``rf-neuron`` training (``receptive_fields.fit``: data, initialisation,
XLA compilation, every step), one seed, and five seeds in one vmapped call. The baseline is:
- the authors' code, when ``RFLAB_AUTHORS_FIG3`` names a script that runs their Fig. 3 neuron
  (``python SCRIPT {nlgp,ising} --steps S --seed 0`` printing ``seconds=``, ``setup_seconds=`` and
  ``step_seconds=``; run with ``RFLAB_AUTHORS_PYTHON``, default this Python); a reconstruction from
  their repository is not part of rflab;
- otherwise ``rflab.lufkin_code``: the same procedure written for rflab (a Python loop over
  jitted steps, per-sample dense NLGP products or Metropolis chains, both classes drawn and half
  kept, an evaluation every 10 steps).
Where the baseline runs fewer steps than 2000 (Ising always; everything with ``--quick``), its
time is projected as (time of the run) + (steps left) x (mean seconds of a step after the tenth);
the note says so. Five baseline seeds cost five runs (the procedure has no seed batching).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import jax
import numpy as np

from rflab import lufkin_code as proc
from rflab.bench import Row
from rflab.experiments import receptive_fields as rfx
from rflab.metrics import receptive_fields as rf

STEPS = 2000
CASES = {"nlgp": {"preset": "nlgp", "batch": 10_000}, "ising": {"preset": "ising", "batch": 500}}


def ours(preset: str, seeds: list[int], steps: int) -> tuple[float, np.ndarray]:
    """Seconds of the whole rf-neuron training for ``seeds`` together, and each seed's final IPR."""
    cfg = rfx.RF_NEURON.configure(preset, {"steps": steps})
    start = time.perf_counter()
    result = rfx.fit([cfg], seeds)
    seconds = time.perf_counter() - start
    return seconds, rf.ipr(result.params["w"][:, 0, 0])  # (seed, point, unit, site): the one point and unit


def baseline_procedure(case: str, steps: int) -> tuple[float, float, np.ndarray]:
    """rflab.lufkin_code for ``steps``: (seconds, seconds per later step, final weights)."""
    if case == "nlgp":
        samplers = proc.nlgp_sampler(40, (1.0, 3.0), 100.0)
    else:
        samplers = proc.ising_sampler(40, (0.3, 0.7), 2000)
    return proc.run(samplers, 40, CASES[case]["batch"], steps)


def baseline_authors(script: str, case: str, steps: int) -> tuple[float, float, str]:
    """The authors' code through the script named by RFLAB_AUTHORS_FIG3: (seconds, per step, its line)."""
    python = os.environ.get("RFLAB_AUTHORS_PYTHON", sys.executable)
    out = subprocess.run([python, script, case, "--steps", str(steps), "--seed", "0"], capture_output=True,
                         text=True, check=True).stdout
    line = next(s for s in out.splitlines() if "seconds=" in s)
    seconds = float(re.search(r"\bseconds=([0-9.]+)", line).group(1))
    per_step = float(re.search(r"step_seconds=([0-9.na]+)", line).group(1))
    return seconds, per_step, line


def run(quick: bool = False) -> list[Row]:
    """Both cases; ``quick`` runs 200 steps on both sides (the baseline projected to 200 only)."""
    jax.block_until_ready(jax.jit(lambda v: v + 1)(0.0))
    script = os.environ.get("RFLAB_AUTHORS_FIG3")
    rows = []
    for case in CASES:
        steps = 200 if quick else STEPS
        measured = steps if (case == "nlgp" or quick) else 100
        if script:
            seconds, per_step, line = baseline_authors(script, case, measured)
            label, ipr_note = "the authors' code (RFLAB_AUTHORS_FIG3)", f"their run: {line.strip()}"
        else:
            seconds, per_step, w = baseline_procedure(case, measured)
            label, ipr_note = "the authors' procedure (rflab.lufkin_code)", f"baseline IPR {rf.ipr(w[0]):.3f}"
        projected = seconds + (steps - measured) * per_step
        how = f"measured {measured} steps, projected to {steps}: " if measured < steps else ""
        for seeds in ([0], [0, 1, 2, 3, 4]):
            mine, ipr = ours(CASES[case]["preset"], seeds, steps)
            rows.append(Row(
                f"rf-neuron {case}, {steps} steps, batch {CASES[case]['batch']}, {len(seeds)} seed(s) in one call",
                mine, f"{label}, {len(seeds)} run(s)", projected * len(seeds),
                f"{how}baseline {seconds:.1f} s, {per_step * 1e3:.1f} ms/step; rflab IPR "
                f"{', '.join(f'{v:.3f}' for v in ipr)} (compile included); {ipr_note}"))
    return rows
