"""Claims of the seed document: the README of the dipole re-implementation of Zemel & Hinton (1995)
(public repository yaroslavvb/hinton-problems, dipole-3d-constraint/README.md), its numbers for
``--seed 0`` and ``--seed 1`` and the open questions it leaves. Every number in a claim's text is
the README's; every number in a finding is read from the evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rflab.data.dipoles import SIZE
from rflab.experiments.dipole import CodeMetrics
from rflab.metrics.codes import seed_proxy_bits
from rflab.report.evidence import Evidence
from rflab.report.judging import (
    DIFFERS,
    NOT_CHECKABLE,
    NOT_REPRODUCED,
    REPRODUCED,
    Claim,
    Finding,
    close,
    g,
    graded,
    lowest_knn,
    ms,
    names,
    off_by,
    seeds,
)

SOURCE = "seed README (yaroslavvb/hinton-problems, dipole-3d-constraint)"
OPEN = "seed README, 'Open questions / next experiments'"
NUMBERS = "The seed's numbers (dipole population code, --seed 0, 200 epochs)"
QUESTIONS = "The seed's open questions"
ACTIVE = 0.1  # a singular value above this share of the largest counts as an active dimension


def within(measured: float, claimed: float, rel: float) -> Finding:
    """A number against the README's, within ``rel`` (reproduced) or not (not reproduced)."""
    ok = close(measured, claimed, rel)
    return Finding("", REPRODUCED if ok else NOT_REPRODUCED,
                   f"rule: within {100 * rel:g}%; {off_by(measured, claimed)}")


def seed_mse(ev: Evidence) -> Finding:
    m = ev.step_runs("dipole-3d/hinton-problems")[0].metrics.test_mse
    f = within(m, 0.0095, 0.03)
    return Finding(f"test MSE {g(m)} (seed 0, `--preset hinton-problems`: the seed script's own random streams)",
                   f.verdict, f.reason)


def naive_mse(ev: Evidence) -> Finding:
    m = ev.step_runs("dipole-3d/hinton-problems")[0].metrics.naive_mse
    f = within(m, 0.0277, 0.01)
    return Finding(f"naive MSE {g(m)} (seed 0)", f.verdict, f.reason)


def variance_explained(ev: Evidence) -> Finding:
    m = ev.step_runs("dipole-3d/hinton-problems")[0].metrics.variance_explained
    ok = abs(m - 0.66) <= 0.03
    return Finding(f"variance explained {g(m, 2)} (seed 0)", REPRODUCED if ok else NOT_REPRODUCED,
                   f"rule: within 0.03 of 0.66; off by {abs(m - 0.66):.3f}")


def singular_values(ev: Evidence) -> Finding:
    sv = ev.step_runs("dipole-3d/hinton-problems")[0].metrics.singular_values
    exact = all(close(a, b, 0.02) for a, b in zip(sv, (6.67, 4.61, 3.80), strict=True))
    active = min(sv) > ACTIVE * max(sv)
    verdict = REPRODUCED if exact and active else DIFFERS if active else NOT_REPRODUCED
    return Finding("singular values " + ", ".join(g(v) for v in sv) + " (seed 0)", verdict,
                   f"rule: each within 2% of the README's, and every one above {ACTIVE:g} of the largest (all three "
                   "dimensions active)" + ("" if verdict == REPRODUCED else "; all three are active but the values "
                                           "differ" if active else "; a dimension is inactive"))


def seed1_numbers(ev: Evidence) -> Finding:
    r = ev.step_runs("dipole-3d/hinton-problems")[1]
    mse, sv, cubic = r.metrics.test_mse, r.metrics.singular_values, r.metrics.r2_cubic["mean"]
    exact_sv = all(close(a, b, 0.02) for a, b in zip(sv, (6.23, 5.00, 4.01), strict=True))
    checks = {"MSE": close(mse, 0.0100, 0.03), "singular values": exact_sv, "cubic R^2": abs(cubic - 0.585) <= 0.03}
    failed = [k for k, ok in checks.items() if not ok]
    return Finding(f"seed 1: test MSE {g(mse)}; singular values {', '.join(g(v) for v in sv)}; held-out cubic R^2 "
                   f"mean {g(cubic, 2)}", graded(len(checks) - len(failed), len(checks)),
                   "rule: MSE within 3%, singular values within 2%, cubic R^2 within 0.03"
                   + (f"; missed: {names(failed)}" if failed else "")
                   + ("; our cubic R^2 is fitted on the training codes and scored on held-out ones, the seed's on "
                      "the same 500 test images" if "cubic R^2" in failed else ""))


def r2_table(ev: Evidence, regression: Callable[[CodeMetrics], dict[str, float]], claimed: Sequence[float]
             ) -> Finding:
    run = ev.step_runs("dipole-3d/hinton-problems")[0]
    r2 = regression(run.metrics)
    labels = ("x", "y", "cos_2theta", "sin_2theta")
    gaps = [abs(r2[n] - c) for n, c in zip(labels, claimed, strict=True)]
    verdict = REPRODUCED if max(gaps) <= 0.03 else DIFFERS if max(gaps) <= 0.1 else NOT_REPRODUCED
    return Finding(", ".join(f"{n} {r2[n]:.2f}" for n in labels) + f", mean {r2['mean']:.2f} (seed 0, held out); "
                   f"kNN R^2 mean {run.metrics.knn_r2['mean']:.2f}", verdict,
                   f"rule: each within 0.03 (reproduced) or 0.1 (differs); the largest gap is {max(gaps):.2f}. Ours "
                   "is fitted on the training codes and scored on held-out ones; the seed fits and scores on the "
                   "same 500 test images, which flatters a flexible fit")


def seed_time(ev: Evidence) -> Finding:
    runs = ev.step_runs("dipole-3d/hinton-problems")
    t = float(np.mean([r.train_seconds for r in runs]))
    return Finding(f"{g(t, 2)} s per seed ({len(runs)} seeds trained together, compilation included)",
                   REPRODUCED if t <= 11 else NOT_REPRODUCED, "rule: no slower than the README's 11 s")


def half_turn(ev: Evidence) -> Finding:
    c = ev.checks().dipole_half_turn
    same, negated = c.max_difference < 1e-4, c.max_sum < 1e-4
    verdict = REPRODUCED if same else NOT_REPRODUCED
    return Finding(f"over 200 random dipoles: max |x(theta + pi) - x(theta)| = {g(c.max_difference)}, "
                   f"max |x(theta + pi) + x(theta)| = {c.max_sum:.1e}", verdict,
                   "rule: a symmetry leaves the image unchanged" + (
                       "" if same else "; a half-turn swaps the blobs and so negates the image: theta and theta + pi "
                       "are different images, and sampling theta in [0, pi) leaves out half of the dipoles"
                       if negated else "; the turned image is neither the same nor its negative"))


def three_dims(ev: Evidence) -> Finding:
    runs = ev.step_runs("dipole-3d/hinton-problems")
    pr, twonn = [r.metrics.effective_dim for r in runs], [r.metrics.intrinsic_dim for r in runs]
    spread, filled = min(pr) > 2, min(twonn) >= 2.5
    verdict = REPRODUCED if spread and filled else DIFFERS if spread or filled else NOT_REPRODUCED
    return Finding(f"participation ratio of the code {ms(pr)}, TwoNN dimension {ms(twonn)} ({seeds(runs)}, seed "
                   "recipe)", verdict,
                   "rule: participation ratio above 2 (variance along all three axes) and TwoNN dimension at least "
                   "2.5 (the code fills three dimensions locally) on every seed"
                   + ("" if verdict == REPRODUCED else "; the two measures disagree" if verdict == DIFFERS else ""))


def paper_bits(ev: Evidence) -> Finding:
    rbf = ev.step_runs("dipole-3d/default")
    mdl = ev.step_runs("dipole-3d/mdl")
    return Finding(f"two-part code length {ms([r.metrics.dl_bits.total for r in rbf])} bits/image (RBF default); MDL "
                   f"code {ms([r.metrics.mdl_bits.total_with_constants for r in mdl])} bits/image with every constant",
                   NOT_CHECKABLE, "the paper's bookkeeping (resolutions, priors) is not available to us, and the "
                   "README quotes the number without it; our numbers state every constant")


def proxy_bits(ev: Evidence) -> Finding:
    runs = ev.step_runs("dipole-3d/hinton-problems")
    proxy = [seed_proxy_bits(r.metrics.test_mse, SIZE**2, r.config["dim"], r.config["sigma"]) for r in runs]
    ok = abs(float(np.mean(proxy)) + 60) <= 5
    return Finding(f"the seed's proxy (its formula at its sigma_recon = 0.15) on our held-out MSE: {ms(proxy)} "
                   f"bits/image ({seeds(runs)}); our two-part code length with stated resolutions "
                   f"{ms([r.metrics.dl_bits.total for r in runs])}", REPRODUCED if ok else NOT_REPRODUCED,
                   "rule: within 5 bits of -60. The proxy is a differential entropy (no resolution), so it can be "
                   "negative; it is not a code length")


def dimension(ev: Evidence) -> Finding:
    rows = ev.figure_json("mdl-dimension")
    widest = max(r.dim for r in rows)
    out, agree = [], []
    for r in (r for r in rows if r.dim == widest):
        twonn, pr = r.twonn.mean, r.participation.mean
        out.append(f"{r.latents} latents, K = {widest}: TwoNN {twonn:.2f}, participation ratio {pr:.2f}")
        agree.append((abs(twonn - r.latents) <= 0.5, abs(pr - r.latents) <= 0.5))
    both = sum(t and p for t, p in agree)
    either = sum(t or p for t, p in agree)
    verdict = REPRODUCED if both == len(agree) else DIFFERS if either else NOT_REPRODUCED
    return Finding("; ".join(out) + f" (means over seeds, {ev.scale} scale, MDL code from random weights)", verdict,
                   "rule: TwoNN dimension and participation ratio both within 0.5 of the number of latents"
                   + ("" if verdict == REPRODUCED else "; the two measures disagree or miss"))


def topology(ev: Evidence) -> Finding:
    data = ev.figure_json("code-topology")
    name = next(m for m in data if m.startswith("RBF, Isomap"))
    ref = next(m for m in data if m.startswith("reference"))
    d, reference = data[name], data[ref]
    fibred = d.fibres_with_one_loop >= 0.9
    whole = d.one_loop_seeds == d.seeds
    verdict = REPRODUCED if fibred and whole else DIFFERS if fibred or d.one_loop_seeds else NOT_REPRODUCED
    return Finding(f"default code: one dominant loop in {d.fibres_with_one_loop:.0%} of the fixed-(x, y) fibres, "
                   f"in the whole code on {d.one_loop_seeds}/{d.seeds} seeds; reference torus of the true "
                   f"latents: {reference.fibres_with_one_loop:.0%}, {reference.one_loop_seeds}/{reference.seeds}",
                   verdict,
                   "rule: one loop in at least 90% of the fibres and in the whole code on every seed"
                   + ("" if verdict == REPRODUCED else "; the orientation loop is there over every (x, y), but the "
                      "whole code's persistence does not single it out" if fibred else ""))


def cost(ev: Evidence) -> Finding:
    data = ev.figure_json("code-cost")
    rbf = data[next(m for m in data if m.startswith("RBF"))]
    dense = {m: v for m, v in data.items() if m.startswith("dense")}
    similar = [m for m in dense if dense[m].test_mse <= 1.2 * rbf.test_mse]
    if not similar:
        return Finding(f"RBF MSE {g(rbf.test_mse, 2)}; no dense decoder of the study is as accurate "
                       "(within 20%)", NOT_CHECKABLE, "the comparison needs a dense decoder of similar accuracy")
    best = min(similar, key=lambda m: dense[m].full["lru"])
    d = dense[best]
    costlier = rbf.full["lru"] > d.full["lru"]
    robust = rbf.silenced["0.1"] < d.silenced["0.1"]
    verdict = REPRODUCED if costlier and robust else NOT_REPRODUCED if costlier else DIFFERS
    return Finding(f"RBF population: MSE {g(rbf.test_mse, 2)}, data movement (LRU cost) {g(rbf.full['lru'])}, "
                   f"MSE with 10% of units silenced {g(rbf.silenced['0.1'], 2)}; the cheapest dense decoder within "
                   f"20% of its MSE ({best}): MSE {g(d.test_mse, 2)}, cost {g(d.full['lru'])}, silenced "
                   f"{g(d.silenced['0.1'], 2)}", verdict,
                   f"at similar accuracy the population code moves {g(rbf.full['lru'] / d.full['lru'], 2)} "
                   f"times the data and is {'more' if robust else 'less'} robust to silenced units"
                   + ("" if costlier else ": the premise that it costs more does not hold"))


def sister(ev: Evidence) -> Finding:
    runs = ev.step_runs("dipole-2d/default")
    lowest = lowest_knn(runs, ("x", "y"))
    twonn, pr = [r.metrics.intrinsic_dim for r in runs], [r.metrics.effective_dim for r in runs]
    checks = (lowest >= 0.9, abs(float(np.mean(twonn)) - 2) <= 0.3, abs(float(np.mean(pr)) - 2) <= 0.3)
    return Finding(f"lowest kNN R^2 of x, y {lowest:.2f}; TwoNN dimension {ms(twonn, 2)}; participation ratio "
                   f"{ms(pr, 2)} ({seeds(runs)}, random weights, no warm-up)", graded(sum(checks), len(checks)),
                   "rule: kNN R^2 >= 0.9, and TwoNN dimension and participation ratio each within 0.3 of 2")


C = Claim
CLAIMS: tuple[Claim, ...] = (
    C(NUMBERS, "Test MSE 0.0095 for seed 0 (200 epochs, 2000 train, 500 test)", SOURCE, seed_mse),
    C(NUMBERS, "Naive MSE (the training mean image) 0.0277", SOURCE, naive_mse),
    C(NUMBERS, "Variance explained about 66%", SOURCE, variance_explained),
    C(NUMBERS, "Singular values of the code 6.67, 4.61, 3.80: all three dimensions active", SOURCE, singular_values),
    C(NUMBERS, "Seed 1: MSE 0.0100, singular values 6.23, 5.00, 4.01 and cubic R^2 mean 0.585", SOURCE,
      seed1_numbers),
    C(NUMBERS, "Linear R^2 to (x, y, cos 2theta, sin 2theta) 0.09, 0.64, 0.03, 0.04", SOURCE,
      lambda ev: r2_table(ev, lambda m: m.r2_linear, (0.09, 0.64, 0.03, 0.04))),
    C(NUMBERS, "Cubic R^2 0.62, 0.79, 0.33, 0.52 (mean 0.56), 'the honest measure'", SOURCE,
      lambda ev: r2_table(ev, lambda m: m.r2_cubic, (0.62, 0.79, 0.33, 0.52))),
    C(NUMBERS, "Training takes about 11 s on a laptop", SOURCE, seed_time),
    C(NUMBERS, "The dipole is symmetric under theta -> theta + pi (the blobs swap), so theta is sampled in [0, pi)",
      SOURCE, half_turn),
    C(NUMBERS, "With 225 hidden units, all three implicit dimensions are used", f"{SOURCE}, 'Demonstrates'",
      three_dims),
    C(NUMBERS, "Zemel & Hinton report about 1.16 bits", SOURCE, paper_bits),
    C(NUMBERS, "Description length about -60 bits/image (a relative proxy)", SOURCE, proxy_bits),
    C(QUESTIONS, "1: with a wide implicit space (K = 10) and the description-length cost, the effective "
      "dimensionality settles at the number of latents", OPEN, dimension),
    C(QUESTIONS, "2: the orientation code is one persistent loop (S^1), fibred over (x, y)", OPEN, topology),
    C(QUESTIONS, "3: the population code reads a 225-wide layer where a dense 3-D autoencoder reads 3; its robustness "
      "offsets the data-movement cost", OPEN, cost),
    C(QUESTIONS, "4 (sister problem): with only (x, y) varying the same code converges to a 2-D structure", OPEN,
      sister),
)
