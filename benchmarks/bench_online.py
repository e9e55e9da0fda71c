"""Online SGD with batch 1, as Ingrosso & Goldt train: ``ig-two-layer`` on its default 20 x 20 torus.

- baseline: one draw per step (``train.Online``), the engine's stream before ``train.Blocks``;
- rflab: the draws of D steps in one call (``train.Blocks``, what ``ig-two-layer`` uses).

Both give SGD steps on the same model and loss (the streams draw different numbers). A rate is the
time of one step for ``SEEDS`` seeds, the difference of two calls of different lengths, each the best
of two, so compilation and set-up cancel. The row projects the paper-scale figure's torus run on NLGP:
time 10^4, i.e. 4 x 10^6 steps.
"""

from __future__ import annotations

import time

import jax

from rflab import train
from rflab.bench import Row
from rflab.experiments import get_experiment
from rflab.experiments import ingrosso_goldt as ig
from rflab.experiments.receptive_fields import class_blocks, data_model

SEEDS = 2
TIMES = (20, 100)  # two call lengths, in units of D steps
PAPER_TIME = 10_000


def seconds(time_units: int, blocked: bool) -> float:
    """Wall time of ``time_units`` units of training on SEEDS seeds, with either stream."""
    cfg = get_experiment("ig-two-layer").configure(None, {"time": time_units})
    stream = ig.stream(cfg) if blocked else train.Online(class_blocks(data_model(cfg), "random"), cfg.batch_size)
    n = ig.steps(cfg)
    start = time.perf_counter()
    result = train.fit(ig.learner(cfg), train.optimizer("sgd", cfg.lr * cfg.units, n), stream, n,
                       train.seed_keys(range(SEEDS)))
    jax.block_until_ready(result.params)
    return time.perf_counter() - start


def rate(blocked: bool, scale: int) -> float:
    """Seconds of one unit of time (D steps) on SEEDS seeds."""
    short, long = (t // scale for t in TIMES)
    best = {t: min(seconds(t, blocked) for _ in range(2)) for t in (short, long)}
    return (best[long] - best[short]) / (long - short)


def run(quick: bool = False) -> list[Row]:
    """One row: the paper-scale torus run, projected from both streams' rates (``quick``: calls 5x shorter)."""
    scale = 5 if quick else 1
    ours, base = (rate(blocked, scale) * PAPER_TIME for blocked in (True, False))
    return [Row(f"ig-two-layer, torus D = 400, batch 1: time 10^4 on {SEEDS} seeds, projected", ours,
                "a draw per step (train.Online)", base, f"{jax.local_device_count()} CPU devices")]


if __name__ == "__main__":
    train.use_cpu_cores()
    for row in run():
        print(f"{row.case}: {row.seconds:.0f} s against {row.baseline_seconds:.0f} s ({row.ratio:.1f}x); {row.note}")
