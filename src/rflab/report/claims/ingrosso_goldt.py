"""Claims of Ingrosso & Goldt (PNAS 2022), "Data-driven emergence of convolutional structure in neural
networks", the work the localization paper builds on."""

from __future__ import annotations

from rflab.report.evidence import Evidence
from rflab.report.judging import NOT_CHECKABLE, Claim, Finding, g, graded, ms, seeds, threshold

PAPER = "Ingrosso & Goldt 2022"
TOPIC = "Localized receptive fields (Ingrosso & Goldt 2022)"


def clone(ev: Evidence) -> Finding:
    nlgp, twin = ev.step_runs("rf-neuron/nlgp"), ev.step_runs("rf-neuron/nlgp-clone")
    a, b = [r.metrics.ipr for r in nlgp], [r.metrics.ipr for r in twin]
    n = nlgp[0].config["N"]
    return Finding(f"final IPR, one ReLU neuron: NLGP g = 100 {ms(a, 2)}, its Gaussian clone {ms(b, 2)} "
                   f"({seeds(nlgp)}; localized above {g(threshold(n), 2)})",
                   graded((min(a) >= threshold(n)) + (max(b) < threshold(n)), 2),
                   "rule: every NLGP seed localized and no clone seed; measured on one ReLU neuron, not on their "
                   "network")


def cover(ev: Evidence) -> Finding:
    return Finding("", NOT_CHECKABLE, "their network (erf units trained online with batch 1) differs from what "
                   "rflab runs, and we could not verify which IPR convention their figure uses; no run here is "
                   "comparable")


CLAIMS: tuple[Claim, ...] = (
    Claim(TOPIC, "NLGP inputs give localized fields, their Gaussian clones do not", PAPER, clone),
    Claim(TOPIC, "Their cover figure: the IPR of localized units rises from about 0.008 to 0.06 on NLGP",
          f"{PAPER} (cover figure)", cover),
)
