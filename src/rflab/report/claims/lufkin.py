"""Claims of Lufkin, Saxe & Grant (NeurIPS 2024), "Nonlinear dynamics of localization in neural
receptive fields" (the seed summary of the paper and its figures), and of the authors' own Claim 3.2
sweep, whose per-seed results they published in their repository (``rflab.sources.lufkin_claim32``).
Every number in a finding is read from the evidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from rflab.report.evidence import Evidence
from rflab.report.judging import (
    DIFFERS,
    NOT_REPRODUCED,
    REPRODUCED,
    Claim,
    Finding,
    g,
    graded,
    localized_share,
    ms,
    names,
    spearman,
    threshold,
)
from rflab.schema import Missing
from rflab.sources import lufkin_claim32, published_ipr

PAPER = "Lufkin, Saxe & Grant 2024"
LOC = "Localized receptive fields (Lufkin, Saxe & Grant 2024)"
THEORY = "Theory: amplifier and effective dynamics (Lufkin, Saxe & Grant 2024)"


def fig1(ev: Evidence) -> Finding:
    committee, comps = ev.figure_runs("fig1", "committee"), ev.figure_runs("fig1", "ica")
    a, b = localized_share(committee), localized_share(comps)
    return Finding(f"localized units: committee {a:.0%} of {len(committee[0].metrics.verdicts)}, ICA {b:.0%} "
                   f"of {len(comps[0].metrics.verdicts)} (seed 0, {ev.scale} scale)",
                   graded((a >= 0.5) + (b >= 0.5), 2),
                   "rule: at least half of the units localized (IPR >= 4/D and narrow) in both")


def fig2(ev: Evidence) -> Finding:
    c = ev.checks().fig2
    ising, gauss, kur = c.values()
    checks = {"Ising binary": abs(ising.kurtosis_sampled - 1) < 1e-6,
              "Gaussian kurtosis 3": abs(gauss.kurtosis_sampled - 3) < 0.1,
              "Kur(5) heavy-tailed": kur.kurtosis_exact > 3 and kur.kurtosis_sampled > 3,
              "covariances": max(v.covariance_max_gap for v in c.values()) < 0.01}
    failed = [k for k, ok in checks.items() if not ok]
    return Finding("sampled kurtosis " + ", ".join(f"{k} {g(v.kurtosis_sampled, 4)} (exact "
                                                   f"{g(v.kurtosis_exact, 4)})" for k, v in c.items())
                   + "; largest gap between exact and sampled covariance "
                   + g(max(v.covariance_max_gap for v in c.values()), 2) + " (10^4 samples, N = 100)",
                   graded(len(checks) - len(failed), len(checks)),
                   "rule: Ising marginal binary (kurtosis 1), Gaussian kurtosis within 0.1 of 3, Kur(5) above 3, "
                   "every sampled covariance within 0.01 of the exact one" + (f"; failed: {names(failed)}" if failed
                                                                             else ""))


def fig3_localization(ev: Evidence) -> Finding:
    models = ev.figure_json("fig3-theory").models
    n = models["nlgp"].config["N"]
    ipr = {k: float(np.mean(v.ipr_sgd)) for k, v in models.items()}
    expected = {"ising": True, "nlgp": True, "kur5": False, "gaussian": False}
    wrong = [k for k, loc in expected.items() if (ipr[k] > threshold(n)) != loc]
    return Finding("final IPR (mean over seeds): " + ", ".join(f"{k} {g(v, 2)}" for k, v in ipr.items())
                   + f"; localized above {g(threshold(n), 2)} = 4/N", graded(len(expected) - len(wrong), len(expected)),
                   "rule: Ising and NLGP above 4/N, Kur(5) and the Gaussian below" + (
                       f"; wrong for {names(wrong)}" if wrong else ""))


def fig4(ev: Evidence) -> Finding:
    models = ev.figure_json("prop33").models
    n = next(iter(models.values())).config["N"]
    parts, failed, localized = [], [], []
    for k, v in models.items():
        share = float(np.mean(v.share_k0_sgd))
        oscillatory = all(x == "oscillatory" for x in v.verdict_sgd)
        fitted = min(v.r2_sgd) >= 0.8
        parts.append(f"{k}: IPR {g(float(np.mean(v.ipr_sgd)), 2)}, verdicts {', '.join(v.verdict_sgd)}, "
                     f"sinusoid R^2 {ms(v.r2_sgd, 2)}, fitted frequency {ms(v.freq_sgd, 2)}, power in k = 0 "
                     f"{share:.0%}")
        if float(np.mean(v.ipr_sgd)) >= threshold(n):
            localized.append(k)
        problems = ([] if oscillatory else ["not every field is oscillatory"]) + (
            [] if fitted else ["the sinusoid fit misses (R^2 < 0.8)"]) + (
            [] if share <= 0.5 else ["most power in the flat mode k = 0"])
        if problems:
            failed.append(f"{k}: {names(problems)}")
    verdict = NOT_REPRODUCED if localized else DIFFERS if failed else REPRODUCED
    return Finding("; ".join(parts) + f" ({ev.scale} scale)", verdict,
                   "rule: no field localizes, and every seed's field is oscillatory (one Fourier mode plus an offset "
                   "carries >= 80% of its power), fitted by a sinusoid with R^2 >= 0.8, and not mostly flat"
                   + (f"; localized: {names(localized)}" if localized else f"; {'; '.join(failed)}" if failed else ""))


def fig5(ev: Evidence) -> Finding:
    expected = {"kur10": True, "kur30": True, "kur4": False, "kur3": True}
    runs = {k: ev.figure_runs("fig5", k) for k in expected}
    shares = {k: localized_share(v) for k, v in runs.items()}
    wrong = [k for k, loc in expected.items() if (shares[k] >= 0.5) != loc]
    first = runs["kur10"]
    return Finding("localized units: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items())
                   + f" (seeds {first[0].seed}-{first[-1].seed}, {ev.scale} scale)",
                   graded(len(expected) - len(wrong), len(expected)),
                   "rule: at least half of the units localized on Kur(10), Kur(30) and for ICA on Kur(3), fewer "
                   "than half on Kur(4)" + (f"; wrong for {names(wrong)}" if wrong else ""))


SIDE = 0.1  # points with |excess kurtosis| below this (NLGP at low gain) sit on neither side
WIDE_GAP = 0.25  # the least gap in localized share between the two sides that counts as the sign rule


def many_neurons(ev: Evidence) -> Finding:
    learners = ev.figure_json("many-neurons").learners
    parts, passed = [], 0
    for name in ("neuron", "committee", "two-layer"):
        points = learners[name]
        neg = [float(np.mean(p.localized_share)) for p in points if p.excess_kurtosis < -SIDE]
        pos = [float(np.mean(p.localized_share)) for p in points if p.excess_kurtosis > SIDE]
        if not neg or not pos:
            raise Missing("the many-neurons figure has no point on one side of zero excess kurtosis")
        gap = float(np.mean(neg) - np.mean(pos))
        parts.append(f"{name} {np.mean(neg):.0%} against {np.mean(pos):.0%}")
        passed += name != "neuron" and gap >= WIDE_GAP
    return Finding("mean share of units localized, negative against positive excess kurtosis: " + "; ".join(parts)
                   + f" ({ev.scale} scale)", graded(passed, 2),
                   "rule, for the committee of 100 and the authors' two-layer MLP of 100: the share at negative "
                   f"excess kurtosis (below -{SIDE:g}) exceeds that at positive (above {SIDE:g}) by {WIDE_GAP:.0%} or "
                   "more; the neuron is shown for comparison")


def phase_spots(ev: Evidence) -> list[dict[str, Any]]:
    """The phase diagram's SGD spot checks (xi_1 / xi_0 other than Claim 3.2's), as claim32 points."""
    families = ev.figure_json("phase-diagram").families
    return [{"label": f"{s.family} {'k' if s.family == 'kur' else 'g'}={s.param:g}, xi ratio {s.ratio:g}",
             "excess_kurtosis": s.kurtosis, "localized_share": float(np.mean(np.asarray(s.ipr_sgd) >= threshold(40)))}
            for fam in families.values() for s in fam.spots]


def claim32(ev: Evidence) -> Finding:
    points = [{"label": p.label, "excess_kurtosis": p.excess_kurtosis, "localized_share": p.localized_share,
               "sgd_mean": p.sgd_mean, "seeds": p.seeds} for p in ev.figure_json("claim32").points]
    try:
        spots = phase_spots(ev)
    except Missing:
        spots = []
    broken = [p for p in points + spots if (p["excess_kurtosis"] < 0) != (p["localized_share"] >= 0.5)]
    rho = spearman([p["excess_kurtosis"] for p in points], [p["sgd_mean"] for p in points])
    verdict = REPRODUCED if not broken else DIFFERS if 2 * len(broken) < len(points) + len(spots) else NOT_REPRODUCED
    seeds = sorted({p["seeds"] for p in points})
    return Finding(f"{len(points)} sweep points ({'/'.join(map(str, seeds))} seeds each) and {len(spots)} "
                   "phase-diagram spot checks; seeds localized (IPR >= 4/N) per point: "
                   + ", ".join(f"{p['label']} ({p['excess_kurtosis']:+.3g}) {p['localized_share']:.0%}"
                               for p in points + spots)
                   + f"; Spearman correlation of the mean IPR with excess kurtosis {rho:.2f}", verdict,
                   "rule: every point of negative excess kurtosis localizes (at least half of its seeds) and no point "
                   "of positive excess kurtosis does" + (
                       f"; broken at {names([p['label'] for p in broken])}" if broken else ""))


def claim32_authors(ev: Evidence) -> Finding:
    from rflab.figures.lufkin_theory import AUTHORS_SWEEP

    data = ev.figure_json("claim32")
    settings = data.settings
    authors = {"xi": list(AUTHORS_SWEEP.xi), "steps": AUTHORS_SWEEP.steps, "batch_size": AUTHORS_SWEEP.batch}
    if any(getattr(settings, k) != v for k, v in authors.items()):
        raise Missing(f"claim32-{ev.scale}.json is not at the authors' settings: rflab figure claim32 --scale paper")
    theirs = {p["label"]: p for p in lufkin_claim32()["points"]}
    rows, disagree = [], []
    for p in data.points:
        ipr = published_ipr(theirs[p.label])
        se = np.hypot(p.sgd_std / np.sqrt(p.seeds), ipr.std(ddof=1) / np.sqrt(len(ipr)))
        gap = abs(p.sgd_mean - ipr.mean())
        if gap > max(3 * se, 0.02):
            disagree.append(p.label)
        rows.append(f"{p.label}: ours {g(p.sgd_mean, 2)} +- {g(p.sgd_std, 1)} ({p.seeds} seeds, "
                    f"{p.localized_share:.0%} localized), theirs {g(ipr.mean(), 2)} +- {g(ipr.std(ddof=1), 1)} "
                    f"({len(ipr)} seeds, {np.mean(ipr >= threshold(40)):.0%})")
    n = len(data.points)
    verdict = REPRODUCED if not disagree else DIFFERS if 2 * len(disagree) < n else NOT_REPRODUCED
    return Finding("final IPR, mean +- std over seeds: " + "; ".join(rows), verdict,
                   "rule: each point's mean within 3 standard errors of the difference (at least 0.02) of theirs"
                   + (f"; outside at {names(disagree)}" if disagree else ""))


def amplifier_gaussian(ev: Evidence) -> Finding:
    c = ev.checks().amplifier.gaussian
    line = np.asarray(c.line)
    quad_gap = float(np.max(np.abs(np.asarray(c.quadrature) - line)))
    mc_z = float(np.max(np.abs(np.asarray(c.monte_carlo) - line) / np.asarray(c.se)))
    gaussian = ev.figure_json("fig3-theory").models["gaussian"]
    n = gaussian.config["N"]
    ipr = [float(v) for v in gaussian.ipr_sgd]
    linear = quad_gap < 1e-8 and mc_z < 4
    none_localize = max(ipr) < threshold(n)
    return Finding(f"Gaussian phi(a) at a = {', '.join(g(a, 2) for a in c.a)}: quadrature within {quad_gap:.1e} of "
                   f"sqrt(2/pi) a, Monte Carlo ({c.samples} samples) within {mc_z:.1f} standard errors; one ReLU "
                   f"neuron on Gaussian data: final IPR {ms(ipr, 2)} (localized above {g(threshold(n), 2)})",
                   graded(linear + none_localize, 2),
                   "rule: quadrature within 1e-8 and Monte Carlo within 4 standard errors of the line, and no seed "
                   "localizes")


def amplifier_shape(ev: Evidence) -> Finding:
    c = ev.checks().amplifier
    line = c.gaussian_line
    phi = c.phi
    binary = c.binary
    binary_gap = float(np.max(np.abs(np.asarray(binary.quadrature) - np.asarray(binary.closed_form))))
    mc = c.monte_carlo
    agree = all(abs(v.phi - v.quadrature) <= 4 * max(v.se, 1e-12) for v in mc.values())
    checks = {"super-linear for Ising and NLGP": all(phi[k].phi > line for k in ("ising", "nlgp g=100")),
              "binary closed form": binary_gap < 1e-8, "quadrature agrees with Monte Carlo": agree,
              "Kur(5) below the line": phi["kur(5)"].phi < line}
    failed = [k for k, ok in checks.items() if not ok]
    return Finding(f"phi(0.8): Ising {g(phi['ising'].phi, 4)}, NLGP g = 100 {g(phi['nlgp g=100'].phi, 4)}, "
                   f"Kur(5) {g(phi['kur(5)'].phi, 4)}, Gaussian line {g(line, 4)}; binary quadrature against "
                   f"erf(a / sqrt(2(1 - a^2))): largest gap {binary_gap:.1e}; quadrature against Monte Carlo: "
                   + ", ".join(f"{k} {g(v.quadrature, 4)} vs {g(v.phi, 4)} +- {v.se:.1g}"
                               for k, v in mc.items()), graded(len(checks) - len(failed), len(checks)),
                   "rule: phi above the Gaussian line at a = 0.8 for negative excess kurtosis, below it for Kur(5), "
                   "the binary closed form within 1e-8, quadrature within 4 Monte Carlo errors" + (
                       f"; failed: {names(failed)}" if failed else ""))


def fig3_ode(ev: Evidence) -> Finding:
    models = ev.figure_json("fig3-theory").models
    cos = {k: float(np.mean(v.final_cos_full)) for k, v in models.items()}
    ipr = {k: (float(np.mean(v.ipr_sgd)), float(np.mean(v.ipr_ode_full))) for k, v in models.items()}
    pair = {k: (float(np.mean(v.final_cos_pair)), float(np.mean(v.ipr_ode_pair))) for k, v in models.items()}
    twin = {k: (float(np.mean(v.replicate_mean_cos_full)), float(np.mean(v.replicate_mean_cos_pair)),
                float(np.mean(v.replicate_best_cos))) for k, v in models.items()}
    ok = [k for k, v in cos.items() if v >= 0.9]
    noisy = [k for k in cos if k not in ok and twin[k][2] < 0.9]
    return Finding("cosine of the ODE's and SGD's final fields (mean over seeds): "
                   + ", ".join(f"{k} {v:.2f}" for k, v in cos.items()) + "; final IPR SGD / ODE: "
                   + ", ".join(f"{k} {a:.2f} / {b:.2f}" for k, (a, b) in ipr.items())
                   + "; pair closure (beyond the paper), cosine / IPR: "
                   + ", ".join(f"{k} {a:.2f} / {b:.2f}" for k, (a, b) in pair.items())
                   + "; mean cosine with SGD replicates (same start, independent data), Eq. 5 / pair closure / "
                   "the best any one field can reach: "
                   + ", ".join(f"{k} {a:.2f} / {b:.2f} / {c:.2f}" for k, (a, b, c) in twin.items()),
                   graded(len(ok), len(cos)),
                   "rule: cosine >= 0.9 for every model" + (
                       f"; missed for {names([k for k in cos if k not in ok])}" if len(ok) < len(cos) else "")
                   + (f"; for {names(noisy)} no single field reaches 0.9 against SGD's replicates, so SGD noise, not "
                      "the initial weights, picks where the field localizes" if noisy else ""))


def fig3_taylor(ev: Evidence) -> Finding:
    models = ev.figure_json("fig3-theory").models
    full = {k: float(np.mean(v.final_cos_full)) for k, v in models.items()}
    taylor = {k: float(np.mean(v.final_cos_taylor)) for k, v in models.items()}
    worse = [k for k in full if taylor[k] < full[k] - 0.02]
    return Finding("cosine with SGD, Taylor / full amplifier: "
                   + ", ".join(f"{k} {taylor[k]:.2f} / {full[k]:.2f}" for k in full),
                   graded(len(full) - len(worse), len(full)),
                   "rule: the third-order form within 0.02 of the full amplifier's cosine for every model" + (
                       f"; it tracks SGD less well for {names(worse)}" if worse else ""))


def claim32_ode(ev: Evidence) -> Finding:
    pts = ev.figure_json("claim32").points
    kurt = [p.excess_kurtosis for p in pts]
    ode = [float(np.mean(p.ode_full)) for p in pts]
    sgd = [p.sgd_mean for p in pts]
    rho = spearman(kurt, ode)
    i = int(np.argmin(kurt))
    trend, level = rho <= -0.7, ode[i] >= 0.75 * sgd[i]
    return Finding(f"ODE final IPR: Spearman correlation with excess kurtosis {rho:.2f}; at the most negative point "
                   f"ODE {g(ode[i], 2)} against SGD {g(sgd[i], 2)}", graded(trend + level, 2),
                   "rule: correlation <= -0.7 and, at the most negative point, the ODE's IPR at least 75% of SGD's"
                   + ("" if trend and level else "; the ODE has the trend but underestimates the IPR of localized "
                      "fields" if trend else "; the ODE misses the trend"))


def prop33(ev: Evidence) -> Finding:
    models = ev.figure_json("prop33").models
    parts, flat, apart = [], [], []
    for k, v in models.items():
        cos = float(np.mean(np.abs(v.cos_exact_vs_sgd)))
        flat += [k] if v.survivor_t_inf == 0 else []
        apart += [k] if cos < 0.9 else []
        parts.append(f"{k}: t -> inf survivor k = {v.survivor_t_inf} (ratios "
                     + ", ".join(g(r, 3) for r in v.ratio_top3) + f"), |cos(exact decoupled flow, SGD)| {cos:.2f}")
    return Finding("; ".join(parts), graded(2 * len(models) - len(flat) - len(apart), 2 * len(models)),
                   "rule: SGD follows the exact flow, in which every Fourier mode evolves on its own (|cos| >= 0.9), "
                   "and the mode that survives t -> inf is a sinusoid (k >= 1), for every model" + (
                       f"; SGD strays from the exact flow for {names(apart)}" if apart else "") + (
                       f"; for {names(flat)} the survivor is the flat field k = 0 and the sinusoid (k = 1) a slowly "
                       "dying second, seen before it dies" if flat else ""))


C = Claim
CLAIMS: tuple[Claim, ...] = (
    C(LOC, "Fig. 1: a soft committee machine (K = 20 ReLU) on 2-D NLGP learns localized 2-D receptive fields, and "
      "so does ICA", f"{PAPER} Fig. 1", fig1),
    C(LOC, "Fig. 2: the Ising, Gaussian and Kur(5) fields share translation-invariant covariances; their marginals "
      "are binary, Gaussian and heavy-tailed", f"{PAPER} Fig. 2", fig2),
    C(LOC, "Fig. 3: one ReLU neuron localizes on Ising and NLGP data (negative excess kurtosis), not on Kur(5) or "
      "Gaussian data", f"{PAPER} Fig. 3", fig3_localization),
    C(LOC, "Fig. 4: on elliptical data (t with nu = 3, shell, custom) the neuron learns oscillatory, not localized, "
      "fields with a best-fit sinusoid", f"{PAPER} Fig. 4", fig4),
    C(LOC, "Fig. 5: committee machines localize on Kur(10) and Kur(30), not on Kur(4); ICA on Kur(3) localizes",
      f"{PAPER} Fig. 5", fig5),
    C(LOC, "Claim 3.2: negative excess kurtosis drives localization, positive excess kurtosis suppresses it",
      f"{PAPER} Claim 3.2", claim32),
    C(LOC, "The single neuron's picture extends to many neurons: in a wide committee and a two-layer network, units "
      "localize on negative excess kurtosis and not on positive", f"{PAPER} (abstract)", many_neurons),
    C(LOC, "Claim 3.2 as the authors ran it: their per-point final IPRs (NLGP: 30 seeds; Kur: 100 seeds, 95 stored)",
      "leonlufkin/Localization: localization/results/figures/ipr_kurtosis/*_kurtosis_vs_ipr_40.npz at 393d50c "
      "(NLGP) and 7bd9aa7 (Kur)", claim32_authors),
    C(THEORY, "Theorem 3.1: for Gaussian data the amplifier is linear, sqrt(2/pi) a, and nothing localizes",
      f"{PAPER} Theorem 3.1", amplifier_gaussian),
    C(THEORY, "The amplifier is super-linear for negative excess kurtosis (binary: erf(a / sqrt(2(1 - a^2)))) and "
      "bends below the line for positive", f"{PAPER} Theorem 3.1", amplifier_shape),
    C(THEORY, "Fig. 3: integrating the effective dynamics reproduces the simulated receptive fields",
      f"{PAPER} Fig. 3", fig3_ode),
    C(THEORY, "Fig. 3: the third-order Taylor form of the amplifier is enough to integrate the dynamics",
      f"{PAPER} Fig. 3 caption", fig3_taylor),
    C(THEORY, "The effective ODE follows Claim 3.2's trend", f"{PAPER} Claim 3.2", claim32_ode),
    C(THEORY, "Prop. 3.3: for elliptical data the Fourier modes decouple, one frequency survives and the field is a "
      "sinusoid, however non-Gaussian the data", f"{PAPER} Prop. 3.3", prop33),
)
