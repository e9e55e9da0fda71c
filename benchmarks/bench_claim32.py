"""The authors' Claim 3.2 sweep at their settings, projected from step rates measured in this run.

The sweep (``rflab figure claim32 --scale paper``): one ReLU neuron, N = 40, xi = (0.3, 0.7), lr 0.1,
1000 steps; 10 NLGP gains on 30 seeds at batch 5000 and 10 Kur tails k on 100 seeds at batch 50,000.

- baseline: each point trained alone (one call per point, as before shared draws), Kur's quantile by
  its exact erf / log-ndtr form (the sampler of numerics version 1);
- rflab: each family's ten points in one call on shared draws (``train.fit_points``), Kur's
  quantile by its table (numerics version 2).

A rate is the time of one SGD step of every point for ``SEEDS`` seeds, taken as the difference of
two calls of different lengths, each the best of two (so compilation and set-up cancel, and a
moment of load elsewhere on the machine does not count); the projection multiplies it by
1000 steps and the sweep's seeds over ``SEEDS`` (seeds run in parallel over the CPU devices, so a
call's time grows with its seeds per device). The notes give the rates and the devices.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from rflab import train
from rflab.bench import Row
from rflab.data import registry
from rflab.data.fields import Kur
from rflab.data.marginals import kur_abs_quantile
from rflab.experiments import receptive_fields as rfx
from rflab.figures.lufkin_theory import AUTHORS_SWEEP, KUR_TAILS, NLGP_GAINS

SEEDS = 2
LENGTHS = {"nlgp": (50, 250), "kur": (5, 25)}  # two call lengths per family, steps


@dataclass(frozen=True)
class ExactKur(Kur):
    """Kur with its quantile by the exact form, as the sampler was before the table."""

    numerics: ClassVar[int] = 1

    def transform_args(self) -> dict[str, np.ndarray]:
        return {"k": np.float32(self.k), "scale": np.float32(1.0 / self.marginal.scale)}

    def transform(self, z: jax.Array, args: dict[str, Any]) -> jax.Array:
        return jnp.sign(z) * kur_abs_quantile(jnp.abs(z), self.k, jnp) * args["scale"]


def configs(family: str, steps: int) -> list[rfx.NeuronConfig]:
    """The sweep's ten points of one family at ``steps`` steps."""
    base = {"N": 40, "xi": AUTHORS_SWEEP.xi, "lr": 0.1, "init_scale": 1e-3, "snapshots": 1, "steps": steps,
            "batch_size": AUTHORS_SWEEP.batch[family]}
    values = NLGP_GAINS if family == "nlgp" else KUR_TAILS
    key = "g" if family == "nlgp" else "k"
    return [rfx.RF_NEURON.configure(None, base | {"data": family, key: v}) for v in values]


def seconds(family: str, steps: int, together: bool) -> float:
    """Wall time of training the family's points (together, or the first alone) on SEEDS seeds."""
    cfgs = configs(family, steps)
    start = time.perf_counter()
    jax.block_until_ready(rfx.fit(cfgs if together else cfgs[:1], range(SEEDS)).params)
    return time.perf_counter() - start


def rate(family: str, together: bool, scale: int = 1) -> float:
    """Seconds of one step (of all ten points, or of one point alone) on SEEDS seeds."""
    short, long = (n // scale for n in LENGTHS[family])
    best = {n: min(seconds(family, n, together) for _ in range(2)) for n in (short, long)}
    return (best[long] - best[short]) / (long - short)


def projected(family: str, together: bool, scale: int = 1) -> float:
    """The family's share of the sweep: 1000 steps of ten points on the sweep's seeds."""
    per_step = rate(family, together, scale) * (1 if together else len(configs(family, 1)))
    return per_step * AUTHORS_SWEEP.steps * AUTHORS_SWEEP.seeds[family] / SEEDS


@contextlib.contextmanager
def exact_kur() -> Iterator[None]:
    """The registry's Kur replaced by ``ExactKur`` (for the baseline)."""
    spec = registry.MODELS["kur"]
    registry.MODELS["kur"] = registry.Spec(spec.params, lambda p: ExactKur(p.lattice(), p.xi, p.k), spec.summary)
    try:
        yield
    finally:
        registry.MODELS["kur"] = spec


def run(quick: bool = False) -> list[Row]:
    """One row per family and one for the whole sweep (``quick``: the same, measured on calls 5x shorter)."""
    scale = 5 if quick else 1
    rows, total, base_total = [], 0.0, 0.0
    for family in ("nlgp", "kur"):
        ours = projected(family, True, scale)
        with exact_kur() if family == "kur" else contextlib.nullcontext():
            base = projected(family, False, scale)
        total, base_total = total + ours, base_total + base
        rows.append(Row(f"Claim 3.2 sweep, {family}: 10 points x {AUTHORS_SWEEP.seeds[family]} seeds, batch "
                        f"{AUTHORS_SWEEP.batch[family]}, projected", ours, "each point alone"
                        + (", exact quantile" if family == "kur" else ""), base,
                        f"{jax.local_device_count()} CPU devices; measured on {SEEDS} seeds"))
    rows.append(Row("Claim 3.2 sweep, both families, projected", total, "each point alone, Kur's exact quantile",
                    base_total, f"target: within 1 hour ({total / 3600:.2f} h)"))
    return rows


if __name__ == "__main__":
    train.use_cpu_cores()
    for row in run():
        print(f"{row.case}: {row.seconds:.0f} s against {row.baseline_seconds:.0f} s ({row.ratio:.1f}x); {row.note}")
