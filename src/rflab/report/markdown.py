"""The report's results as Markdown pages for the documentation, written from the store by
``rflab report --markdown DIR``: the claims with their verdicts (and our own cross-checks apart),
the Claim 3.2 sweep point by point beside the authors' published sweep, the metrics of the
reproduce's runs, and the wall time of every step of the reproduce beside its estimate. Every number
on these pages is read from the store; nothing is typed."""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rflab.figures import output
from rflab.files import replacing
from rflab.report.evidence import Evidence
from rflab.report.judging import VERDICTS, Claim, Finding
from rflab.schema import Missing


def cell(text: str) -> str:
    """Text for one Markdown table cell (pipes escaped, one line)."""
    return " ".join(text.replace("|", "\\|").split()) or "-"


def tally(rows: Sequence[tuple[Claim, Finding]]) -> str:
    """'25 reproduced, 15 differs, ...' over the verdicts that occur."""
    counts = {v: sum(f.verdict == v for _, f in rows) for v in VERDICTS}
    return ", ".join(f"{n} {v}" for v, n in counts.items() if n)


def claims_table(rows: Sequence[tuple[Claim, Finding]]) -> list[str]:
    """One row per claim, grouped by topic."""
    lines, topic = [], None
    for claim, found in rows:
        if claim.topic != topic:
            topic = claim.topic
            lines += ["", f"### {topic}", "", "| claim | source | measured | verdict | reason |",
                      "|---|---|---|---|---|"]
        lines.append(f"| {cell(claim.text)} | {cell(claim.source)} | {cell(found.measured)} | **{found.verdict}** | "
                     f"{cell(found.reason)} |")
    return lines


def wall_time(ev: Evidence) -> str:
    """What computing every step of the scale's reproduce took: each step as timed when it last computed,
    so a reproduce resumed over several sittings is counted whole."""
    from rflab.report.reproduce import plan

    made = [ev.manifest["steps"].get(step.key, {}).get("made") for step in plan(ev.scale)]
    if not all(made):
        return (f"`rflab reproduce --scale {ev.scale}` has computed {sum(map(bool, made))} of its {len(made)} steps "
                "in this store.")
    seconds = sum(m["seconds"] for m in made)
    peak = max(m["peak_rss_mib"] for m in made)
    last = ev.manifest.get("last", {})
    where = last.get("machine") or (f"{last['cpus']} CPUs" if last.get("cpus") else None)
    return (f"Computing every step of `rflab reproduce --scale {ev.scale}` took {seconds / 60:.1f} min of wall time "
            f"and {peak / 1024:.2f} GiB of memory at the peak (rflab {ev.manifest.get('rflab')}"
            + (f", last run on {where}" if where else "") + ").")


def figure_time(name: str, scale: str, seconds: float, peak_mib: float, trained: int, runs: int) -> str:
    """What ``rflab figure NAME --scale SCALE --readme PAGE`` took: its wall time from the command's start
    (the runs it trained, their storing and the figure), the host's peak memory, and the machine."""
    from rflab.bench import machine
    from rflab.version import __version__

    if runs == 0:
        training = "with no runs to train"
    elif trained >= runs:
        training = f"training all {runs} of its runs"
    else:
        training = f"training {trained} of its {runs} runs (the others were in the store)"
    return (f"`rflab figure {name} --scale {scale}` took {seconds / 60:.1f} min of wall time and "
            f"{peak_mib / 1024:.2f} GiB of host memory at the peak, {training}, on {machine()} "
            f"(rflab {__version__}).")


def wall_times_page(ev: Evidence) -> str:
    """Every step of the scale's reproduce: the wall time and peak memory the manifest recorded when it
    last computed, beside what a dry run on an empty store estimates for it from the rates in the store."""
    from rflab.report.reproduce import estimate
    from rflab.results.costs import Rates

    costs = estimate(ev.scale, ev.root, Rates(ev.root, measure=False), empty=True)
    rows, measured, estimated, both = [], 0.0, 0.0, 0
    for cost in costs:
        made = ev.manifest["steps"].get(cost.step.key, {}).get("made")
        guess = None if cost.runs_seconds is None or cost.own is None else cost.runs_seconds + cost.own
        if made and guess is not None:
            measured, estimated, both = measured + made["seconds"], estimated + guess, both + 1
        seconds = f"{made['seconds']:.0f}" if made else "not computed"
        memory = f"{made['peak_rss_mib'] / 1024:.2f}" if made else "-"
        rows.append(f"| {cell(cost.step.label)} | {seconds} | {'not measured' if guess is None else f'{guess:.0f}'} "
                    f"| {memory} |")
    agree = (f"The whole estimate is {estimated:.0f} s against {measured:.0f} s measured "
             f"({estimated / measured - 1:+.0%})." if both == len(costs) else
             f"{both} of the {len(costs)} steps have both a measurement and an estimate, so the totals are not "
             f"compared (`rflab reproduce --scale {ev.scale} --dry-run` measures the rates the others lack).")
    return "\n".join([
        f"# Wall times ({ev.scale} scale)", "",
        f"Written by `rflab report --scale {ev.scale} --markdown docs/results` from the store's manifest "
        f"(`reproduce-{ev.scale}.json`) and rates (`costs.json`, measured by `rflab reproduce --scale {ev.scale} "
        "--dry-run` on the machine). Measured: the step's wall time when it last computed, earlier sittings "
        "counted up to their last stored run. Estimated: what a dry run on an empty store prints for it "
        "(its runs from the rates, a figure's making and the checks from rflab's shipped timings, "
        "`src/rflab/report/making.json`). " + wall_time(ev) + " " + agree, "",
        "| step | measured, s | estimated, s | peak memory, GiB |", "|---|---:|---:|---:|", *rows, ""])


def runs_page(ev: Evidence) -> str:
    """Every run step of the scale's reproduce: each numeric metric of its runs as the mean and standard
    deviation over its seeds, read from the store (the numbers the experiment pages discuss)."""
    from rflab.report.reproduce import run_steps
    from rflab.results.query import flat

    lines = [f"# The reproduce's runs ({ev.scale} scale)", "",
             f"Written by `rflab report --scale {ev.scale} --markdown docs/results` from the stored runs of every "
             f"run step of `rflab reproduce --scale {ev.scale}`: each numeric metric as mean +- standard deviation "
             "over the seeds (one seed: its value). What each metric means is on the experiment's page."]
    for step in run_steps(ev.scale):
        lines += ["", f"## rflab run {step.runs.label}", ""]
        try:
            runs = ev.spec_runs(step.runs)
        except Missing as e:
            lines.append(f"Not in the store: {e}.")
            continue
        metrics = [flat(r.metrics.to_dict(), "") for r in runs]  # nested measures as a.b; lists left out
        numbers = {key[1:]: np.array([m[key] for m in metrics], dtype=float) for key, value in metrics[0].items()
                   if isinstance(value, (int, float)) and not isinstance(value, bool)
                   and not any(part.isdigit() for part in key.split("."))}
        lines += ["| metric | value |", "|---|---:|", *(
            f"| {key} | {v[0]:.4g} |" if len(v) == 1 else f"| {key} | {v.mean():.4g} +- {v.std(ddof=1):.2g} |"
            for key, v in numbers.items())]
    return "\n".join(lines) + "\n"


def claims_page(ev: Evidence, rows: Sequence[tuple[Claim, Finding]], checks: Sequence[tuple[Claim, Finding]]) -> str:
    """The claims page of one scale."""
    scale = ev.scale
    return "\n".join([
        f"# Claims and verdicts ({scale} scale)", "",
        f"Written by `rflab report --scale {scale} --markdown docs/results` from the results store. Counted claims "
        f"(public sources): {tally(rows)}. Our own cross-checks, not counted: {tally(checks)}. {wall_time(ev)}",
        *claims_table(rows), "", "## Our own cross-checks (not counted)", *claims_table(checks), ""])


def claim32_page(ev: Evidence) -> str:
    """Claim 3.2 per point: exact and estimated excess kurtosis, SGD over seeds, share localized, the
    ODE; at the authors' settings, their published sweep beside it."""
    from rflab.sources import lufkin_claim32, published_ipr

    data = ev.figure_json("claim32")
    published = {p["label"]: p for p in lufkin_claim32()["points"]}
    lines = [f"# Claim 3.2 point by point ({ev.scale} scale)", "",
             f"Written by `rflab report --scale {ev.scale} --markdown docs/results` from "
             f"`figures/claim32-{ev.scale}.json` ({data.note}). IPR: final IPR of one ReLU neuron, N = 40; "
             "localized: IPR >= 4/N. The authors' columns are their own per-seed results "
             "(`rflab.sources.lufkin_claim32`), shown at every scale but comparable only at the paper scale. "
             "Each side estimates the kurtosis from its own 10^4 draws (ours with key 0); where the tails are "
             "heavy the estimate scatters, so on the authors' axis one Kur point can sit at two places.", "",
             f"![claim32 at the {ev.scale} scale](claim32-{ev.scale}.png)", "",
             "| point | excess kurtosis, exact | estimated (10^4 samples) | seeds | IPR, mean +- std | localized | "
             "ODE IPR | authors: estimated | authors: seeds | authors: IPR | authors: localized |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in data.points:
        a = published[p.label]
        t = published_ipr(a)
        lines.append(f"| {p.label} | {p.excess_kurtosis:+.3g} | {p.excess_kurtosis_estimated:+.3g} | "
                     f"{p.seeds} | {p.sgd_mean:.3f} +- {p.sgd_std:.3f} | {p.localized_share:.0%} | "
                     f"{float(np.mean(p.ode_full)):.3f} | {a['kurtosis_estimated'] - 3:+.3g} | {len(t)} | "
                     f"{t.mean():.3f} +- {t.std(ddof=1):.3f} | {np.mean(t >= data.threshold):.0%} |")
    lines += ["", f"SGD time of the sweep (the stored runs' training, summed): {data.sgd_seconds:.0f} s.", ""]
    return "\n".join(lines)


def dimension_table(rows: Sequence[Any]) -> list[str]:
    """``mdl-dimension``: per data set and measure, the mean over seeds at each K (the largest K +- std)."""
    dims = sorted({r.dim for r in rows})
    measures = (("TwoNN", "twonn", ".2f"), ("participation ratio", "participation", ".2f"),
                ("kNN R^2 from the centre", "knn_r2", ".2f"), ("held-out MSE", "test_mse", ".4f"))
    lines = ["| data, measure | " + " | ".join(f"K = {k}" for k in dims) + " |", "|---|" + "---|" * len(dims)]
    for latents in sorted({r.latents for r in rows}, reverse=True):
        at = {r.dim: r for r in rows if r.latents == latents}
        for title, key, form in measures:
            cells = [f"{getattr(at[k], key).mean:{form}}" + (f" +- {getattr(at[k], key).std:{form}}" if k == dims[-1]
                                                             else "") if k in at else "" for k in dims]
            lines.append(f"| {latents} latents: {title} | " + " | ".join(cells) + " |")
    return lines


def topology_table(codes: Mapping[str, Any]) -> list[str]:
    """``code-topology``: per code, the seeds with one dominant loop, the lifetime ratios, the fibres."""
    lines = ["| code | seeds with one dominant loop | longest / second lifetime | fibres that are one loop |",
             "|---|---|---|---|"]
    for name, c in codes.items():
        ratios = c.longest_over_second
        lines.append(f"| {cell(name)} | {c.one_loop_seeds} of {c.seeds} | {min(ratios):.2f}-{max(ratios):.2f} | "
                     f"{c.fibres_with_one_loop:.0%} |")
    return lines


def cost_table(coders: Mapping[str, Any]) -> list[str]:
    """``code-cost``: per coder, accuracy, data movement read whole (and sparsely), and robustness."""
    silenced = sorted({k for c in coders.values() for k in c.silenced if float(k) > 0}, key=float)[:1]
    noise = sorted({k for c in coders.values() for k in c.code_noise if float(k) > 0}, key=float)
    noise = [k for k in noise if float(k) == 0.05] or noise[-1:]
    lines = ["| coder | held-out MSE | words | LRU distance | active units | "
             + "".join(f"MSE, {float(k):.0%} silenced | " for k in silenced)
             + "".join(f"MSE, code noise {k} |" for k in noise), "|---|" + "---|" * (4 + len(silenced) + len(noise))]
    for name, c in coders.items():
        robust = [f"{c.silenced[k]:.3g}" for k in silenced] + [f"{c.code_noise[k]:.3g}" for k in noise]
        lines.append(f"| {cell(name)}, read whole | {c.test_mse:.4f} | {c.full['words']:,.0f} | "
                     f"{c.full['lru']:,.0f} | | " + " | ".join(robust) + " |")
        if c.sparse is not None:
            lines.append(f"| {cell(name)}, active units only | {c.sparse['test_mse']:.4f} | {c.sparse['words']:,.0f} | "
                         f"{c.sparse['lru']:,.0f} | {c.sparse['active_units']:.0f} | "
                         + " | ".join([""] * len(robust)) + " |")
    return lines


def model_cost_table(rows: Sequence[Any]) -> list[str]:
    """``model-cost``: per training set size and weight variance, the means over seeds."""
    lines = ["| n_train | V_w | units in use | participation ratio | TwoNN | held-out MSE | bits per image | "
             "with the model's share | mean image |", "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r.n_train, -(r.weight_var or math.inf))):
        model = f"{np.mean(r.bits_with_model):.1f}" if r.weight_var is not None else "(no model cost)"
        lines.append(f"| {r.n_train} | {r.weight_var if r.weight_var is not None else 'none'} | "
                     f"{np.mean(r.units_in_use):.1f} | {np.mean(r.participation):.2f} | {np.mean(r.twonn):.2f} | "
                     f"{np.mean(r.test_mse):.4f} | {np.mean(r.bits):.1f} | {model} | {np.mean(r.mean_image):.1f} |")
    return lines


STUDIES = (("mdl-dimension", "Does the description length find the number of latents?", dimension_table),
           ("code-topology", "Is orientation one persistent loop?", topology_table),
           ("code-cost", "What does reading a population cost, and what does it buy?", cost_table),
           ("model-cost", "What does the cost of the model change?", model_cost_table))


def studies_page(ev: Evidence) -> str:
    """The population-code studies' numbers, each a table from its figure's JSON (means over seeds)."""
    lines = [f"# Population-code studies ({ev.scale} scale)", "",
             f"Written by `rflab report --scale {ev.scale} --markdown docs/results` from the figures' JSON "
             f"(`figures/NAME-{ev.scale}.json`); numbers are means over the seeds each figure declares."]
    for name, title, table in STUDIES:
        lines += ["", f"## {name}: {title}", ""]
        try:
            rows = table(ev.figure_json(name))
        except Missing as e:
            lines.append(f"Not made at this scale: {e}")
            continue
        lines += [f"![{name} at the {ev.scale} scale](figures/{name}-{ev.scale}.png)", "", *rows]
    return "\n".join(lines) + "\n"


def headline(ev: Evidence, rows: Sequence[tuple[Claim, Finding]]) -> str:
    """The README's block for one scale: the verdict counts, Claim 3.2 in two numbers and ``wall_time``."""

    def localized(points: Sequence[Any]) -> float:
        return sum(p.localized_share * p.seeds for p in points) / sum(p.seeds for p in points)

    lines = [f"- **{ev.scale} scale**, written by `rflab report --scale {ev.scale} --readme README.md` from the "
             f"store: {tally(rows)} among the public sources' claims "
             f"([every verdict](docs/results/claims-{ev.scale}.md)).", ]
    try:
        data = ev.figure_json("claim32")
        low = [p for p in data.points if p.excess_kurtosis < -1]
        high = [p for p in data.points if p.excess_kurtosis > 0]
        lines.append(f"  Claim 3.2 ([point by point](docs/results/claim32-{ev.scale}.md)): {localized(low):.0%} of "
                     "the seeds localize (IPR >= 4/N) at the points of excess kurtosis below -1, "
                     f"{localized(high):.0%} at the points of positive excess kurtosis (NLGP and Kur together).")
    except Missing:
        lines.append(f"  Claim 3.2: not run at this scale (`rflab figure claim32 --scale {ev.scale}`).")
    lines.append(f"  {wall_time(ev)}")
    return "\n".join(lines)


def write(ev: Evidence, rows: Sequence[tuple[Claim, Finding]], checks: Sequence[tuple[Claim, Finding]],
          out_dir: Path) -> list[Path]:
    """Write the pages of ``ev``'s scale into ``out_dir`` (and the Claim 3.2 figure beside its page)."""
    pages = {f"claims-{ev.scale}.md": claims_page(ev, rows, checks), f"wall-times-{ev.scale}.md": wall_times_page(ev),
             f"runs-{ev.scale}.md": runs_page(ev), f"studies-{ev.scale}.md": studies_page(ev)}
    try:
        pages[f"claim32-{ev.scale}.md"] = claim32_page(ev)
        figure = output(ev.root / "figures", "claim32", ev.scale, ".png")
        if figure.exists():
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(figure, out_dir / figure.name)
    except Missing:
        pass
    written = []
    for name, text in pages.items():
        with replacing(out_dir / name) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    return written
