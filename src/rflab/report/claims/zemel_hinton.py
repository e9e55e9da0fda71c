"""Claims of Zemel & Hinton (1995), "Learning population codes by minimizing description length",
Neural Computation 7(3): 549-564 (abstract). Training is credited only with what it changed: the
MDL code is measured at its start (after the encoder start, before any step) and at its end."""

from __future__ import annotations

import numpy as np

from rflab.experiments.population_code import MDLBits
from rflab.figures.objects import APART, TOUCHING, separated
from rflab.report.evidence import Evidence
from rflab.report.judging import (
    DIFFERS,
    NOT_REPRODUCED,
    REPRODUCED,
    Claim,
    Finding,
    g,
    ms,
    seeds,
)

SOURCE = "Zemel & Hinton 1995 (abstract)"
COMPANION = "Zemel & Hinton, companion work: the multi-object case (it gives no settings; all are ours)"
TOPIC = "Population codes by description length (Zemel & Hinton 1995)"
LATENTS = ("x", "y", "cos_theta", "sin_theta")
BUMP_SHARE = 0.5  # the deviation from the bump is at most half of the description length: a bump code


def code_state(knn: dict[str, float], bits: MDLBits) -> tuple[bool, bool]:
    """(the centre carries every latent: kNN R^2 >= 0.9; the activity is a bump: deviation share <= 1/2)."""
    return min(knn[n] for n in LATENTS) >= 0.9, bits.deviation_share <= BUMP_SHARE


def mdl_code(ev: Evidence) -> Finding:
    runs = ev.step_runs("dipole-3d/mdl")
    rbf = ev.step_runs("dipole-3d/default")
    start = [code_state(r.metrics.start.knn_r2, r.metrics.start.mdl_bits) for r in runs]
    end = [code_state(r.metrics.knn_r2, r.metrics.mdl_bits) for r in runs]
    knn0 = [min(r.metrics.start.knn_r2[n] for n in LATENTS) for r in runs]
    knn1 = [min(r.metrics.knn_r2[n] for n in LATENTS) for r in runs]
    share0 = [r.metrics.start.mdl_bits.deviation_share for r in runs]
    share1 = [r.metrics.mdl_bits.deviation_share for r in runs]
    total = [r.metrics.mdl_bits.total_with_constants for r in runs]
    mean_image = [r.metrics.mdl_bits.mean_image for r in runs]
    two_part, baseline = [r.metrics.dl_bits.total for r in runs], [r.metrics.dl_bits.baseline for r in runs]
    rbf_two_part = [r.metrics.dl_bits.total for r in rbf]
    shorter = float(np.mean(total)) < float(np.mean(mean_image))
    measured = (f"lowest kNN R^2 of a latent from the centre: start {ms(knn0, 2)}, end {ms(knn1, 2)}; deviation share "
                f"of the description length: start {ms(share0, 2)}, end {ms(share1, 2)} ({seeds(runs)}). "
                f"Description length with every constant, bits/image: MDL code {ms(total)}, the mean image coded "
                f"the same way {ms(mean_image)}, so the {'MDL code' if shorter else 'mean image'} is shorter. Two-part "
                f"codes of the centre at stated resolutions: MDL {ms(two_part)}, the RBF coder {ms(rbf_two_part)}, "
                f"the mean image {ms(baseline)}")
    made = [all(e) and not all(s) for s, e in zip(start, end, strict=True)]
    kept = [all(e) and all(s) for s, e in zip(start, end, strict=True)]
    if all(made) and shorter:
        verdict, reason = REPRODUCED, "training made the bump code (it was not there at the start) and it is shorter"
    elif all(m or k for m, k in zip(made, kept, strict=True)):
        verdict = DIFFERS
        reason = "; ".join(["the code is a bump whose centre carries every latent"]
                           + (["the start (Isomap, then the exact bump encoder) installs it, and training keeps it"]
                              if any(kept) else [])
                           + ([] if shorter else ["with its constants it is longer than the mean image coded the "
                                                  "same way"]))
    else:
        verdict, reason = NOT_REPRODUCED, "after training the centre does not carry every latent or the activity is " \
                                          "not a bump on some seed"
    return Finding(measured, verdict, f"rule: kNN R^2 >= 0.9 for every latent and deviation share <= {BUMP_SHARE:g} "
                   "at the end, made by training (not already at the start), and shorter than the mean image; "
                   + reason)


def bars(ev: Evidence) -> Finding:
    runs = ev.step_runs("bars-what-where/default")
    mdl_gap = [r.metrics.mdl.topography.gap_ratio for r in runs]
    som_gap = [r.metrics.som.topography.gap_ratio for r in runs]
    som_win = [r.metrics.som.topography_winner.gap_ratio for r in runs]
    mdl_x = [r.metrics.mdl.topography.cross_neighbour_fraction for r in runs]
    som_x = [r.metrics.som.topography.cross_neighbour_fraction for r in runs]
    separated = float(np.mean(mdl_gap)) > 1.2
    touching = float(np.mean(som_gap)) <= 1.05
    winners_apart = float(np.mean(som_win)) > 1.2
    verdict = (DIFFERS if separated and touching and winners_apart else REPRODUCED if separated and touching
               else NOT_REPRODUCED)
    return Finding(f"gap ratio (graded): MDL {ms(mdl_gap, 2)}, Kohonen {ms(som_gap, 2)}; Kohonen by winners "
                   f"{ms(som_win, 2)}; cross-class neighbours MDL {ms(mdl_x, 2)}, Kohonen {ms(som_x, 2)} "
                   f"({seeds(runs)})", verdict,
                   "rule: MDL gap ratio above 1.2 and the map's at most 1.05" + (
                       "; measured by which unit wins, the map separates the classes too" if verdict == DIFFERS
                       else "" if verdict == REPRODUCED else f"; MDL {g(float(np.mean(mdl_gap)), 2)}, map "
                       f"{g(float(np.mean(som_gap)), 2)}"))


def objects(ev: Evidence) -> Finding:
    data = ev.figure_json("objects-layout")
    mdl, som = data.coders["mdl"], data.coders["som"]
    apart = separated(mdl.pair_gaps)
    map_gap = float(np.mean(som.gap_ratio))
    touching = map_gap <= TOUCHING
    pairs = "; ".join(f"{pair} {ms(mdl.pair_gaps[pair], 2)}" for pair in apart)
    accuracy = ", ".join(f"{name} {ms(mdl.accuracy_by_object[name], 3)}" for name in data.objects)
    measured = (f"MDL gap ratio by pair of objects: {pairs}; the Kohonen map's layout (its closest pair) "
                f"{ms(som.gap_ratio, 2)}, MDL's {ms(mdl.gap_ratio, 2)}; MDL class accuracy by object: {accuracy} "
                f"(seeds {data.seeds[0]}-{data.seeds[-1]})")
    rule = (f"rule: every pair of objects' MDL gap ratio above {APART:g} and the map's layout gap ratio at most "
            f"{TOUCHING:g} (means over seeds); ")
    close = [pair for pair, held in apart.items() if not held]
    if not close and touching:
        return Finding(measured, REPRODUCED, rule + "each object has its own region in the MDL code, and two of the "
                       "map's regions touch")
    if len(close) == len(apart):
        return Finding(measured, NOT_REPRODUCED, rule + "no pair of objects is apart in the MDL code")
    return Finding(measured, DIFFERS, rule + "; ".join(
        ([f"not apart in the MDL code: {', '.join(close)}"] if close else [])
        + ([] if touching else [f"the map's regions are apart too (gap ratio {g(map_gap, 2)})"])))


C = Claim
CLAIMS: tuple[Claim, ...] = (
    C(TOPIC, "Trained on description length, the population's activity is a standard bump in a low-dimensional "
      "implicit space, cheap to code by its centre, and the centre carries the latents", SOURCE, mdl_code),
    C(TOPIC, "Because unit positions are learned, the code can give two input classes a discontinuous topography, "
      "which a Kohonen map cannot", SOURCE, bars),
    C(TOPIC, "Separate population codes for different objects in one network: the code gives each of three objects "
      "its own region of the implicit space, which a Kohonen map cannot", COMPANION, objects),
)
