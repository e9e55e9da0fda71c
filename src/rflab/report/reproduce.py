"""``rflab reproduce``: every experiment and paper figure of the project at one scale, then the report.

The plan is a list of steps: the experiment runs the report's claims rest on (``run_steps``: its own,
and those of figures it reads, taken from the figures' declarations), the direct checks, and every
figure of the registry (each loading or running the runs it declares). Runs go through the one
load-or-run (``results.cache``), so a run already stored is not recomputed; a figure is made again
only when its files are missing or were made by another rflab version or other code (its module and
the plotting modules it draws with). After every step the manifest ``reproduce-SCALE.json`` in the
store records what the step did, its wall time and the process's peak memory so far, so an
interrupted reproduce starts again where it stopped. While a step trains, each stored run also
records the step's time so far (``unfinished``): a step finished in a later sitting counts the
earlier sittings' time up to their last stored run, the work a kill did not lose.

``quick`` runs each experiment on fewer seeds and the figures at their quick settings (the
figure says which); ``paper`` uses the papers' settings and seeds 0-4 (claim32: the authors' 30
NLGP and 100 Kur seeds).
"""

from __future__ import annotations

import inspect
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import jax

from rflab import resources
from rflab.config import Config, ConfigError, digest
from rflab.experiments import bars, dipole, get_experiment
from rflab.experiments import receptive_fields as fields
from rflab.figures import Inputs, get_figure, output, render
from rflab.files import write_json
from rflab.results import writers
from rflab.results.cache import RunSpec, by_experiment, ensure, families, run_ids
from rflab.results.costs import Rates, Wanted
from rflab.results.store import Store, StoreError
from rflab.results.watch import Watcher, noting, quiet
from rflab.version import __version__

SCALES = ("quick", "paper")
MAKING = Path(__file__).with_name("making.json")


@dataclass(frozen=True)
class RunStep:
    """Runs the report reads: ``key`` names them for the claims, ``gallery`` the images of their first
    seed the report shows (names the experiment's module declares)."""

    key: str
    runs: RunSpec
    gallery: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.runs.label


@dataclass(frozen=True)
class FigureStep:
    """One figure of the registry at the plan's scale."""

    figure: str

    @property
    def key(self) -> str:
        return f"figure:{self.figure}"

    @property
    def label(self) -> str:
        return f"figure {self.figure}"


@dataclass(frozen=True)
class ChecksStep:
    """The report's direct checks (data statistics, amplifier, samplers): cheap, written as JSON."""

    key: str = "checks"
    label: str = "checks (data statistics, amplifier)"


Step = RunStep | FigureStep | ChecksStep


def run_steps(scale: str) -> list[RunStep]:
    """The runs the report reads at a scale: every dipole and bars experiment on seeds 0-1 (the seeds
    the studies' quick scales use too; paper: 0-4), and the rf-* runs of the figures the claims read
    beside them (``fig3-theory``'s NLGP row and its Gaussian clone, ``fig5``'s Kur(10) committee and
    Kur(3) ICA, ``ig-two-layer``'s torus on NLGP for both students, ``objects-layout``'s three objects),
    so those figures find them stored."""
    check_scale(scale)
    few = (0, 1) if scale == "quick" else tuple(range(5))
    nlgp = get_figure("fig3-theory").scale(scale).runs["nlgp"]
    fig5 = get_figure("fig5").scale(scale).runs
    two_layer = get_figure("ig-two-layer").scale(scale).runs
    objects = get_figure("objects-layout").scale(scale).runs["objects"]
    return [
        RunStep("dipole-3d/hinton-problems", RunSpec("dipole-3d", "hinton-problems", {}, few),
                (dipole.RECONSTRUCTIONS, dipole.CODE_PROJECTIONS, dipole.TRAINING)),
        RunStep("dipole-3d/hinton-problems-600", RunSpec("dipole-3d", "hinton-problems", {"epochs": 600}, (0,))),
        RunStep("dipole-3d/default", RunSpec("dipole-3d", None, {}, few),
                (dipole.CODE_3D, dipole.CODE_PROJECTIONS, dipole.RECONSTRUCTIONS, dipole.TRAINING, dipole.ANIMATION)),
        RunStep("dipole-3d/mdl", RunSpec("dipole-3d", "mdl", {}, few),
                (dipole.CODE_3D, dipole.UNIT_POSITIONS, dipole.ANIMATION)),
        RunStep("dipole-2d/default", RunSpec("dipole-2d", None, {}, few),
                (dipole.UNIT_POSITIONS, dipole.CODE_PROJECTIONS, dipole.ANIMATION)),
        RunStep("bars-what-where/default", RunSpec("bars-what-where", None, {}, few),
                (bars.UNITS, bars.CODES, bars.RECONSTRUCTIONS)),
        RunStep("rf-neuron/nlgp", nlgp, (fields.GALLERY, fields.TRAINING)),
        RunStep("rf-neuron/nlgp-clone", RunSpec("rf-neuron", None, {"data": "nlgp-clone", **nlgp.overrides},
                                                nlgp.seeds), (fields.GALLERY,)),
        RunStep("rf-committee/kur10", fig5["kur10"], (fields.GALLERY,)),
        RunStep("rf-ica/kur3", fig5["kur3"], (fields.GALLERY,)),
        RunStep("ig-two-layer/torus", two_layer["torus/nlgp"], (fields.GALLERY,)),
        RunStep("ig-conv/torus", two_layer["torus/conv-nlgp"], (fields.GALLERY,)),
        RunStep("objects-what-where/layout", objects, (bars.UNITS, bars.CODES, bars.EXAMPLES)),
    ]


def plan_runs(scale: str) -> list[RunSpec]:
    """The runs the plan at ``scale`` reads, one RunSpec per config on every seed asked of it: its run
    steps' and every figure's declared runs (what ``--executor dask`` trains on workers before the
    steps run here)."""
    from rflab.figures import FIGURES

    specs = [step.runs for step in run_steps(scale)]
    specs += [spec for name in FIGURES for spec in get_figure(name).scale(scale).runs.values()]
    merged: dict[str, tuple[RunSpec, set[int]]] = {}
    for spec in specs:  # one spec per config, on the union of the seeds asked for
        key = digest({"experiment": spec.experiment, "config": spec.config().model_dump()})
        merged.setdefault(key, (spec, set()))[1].update(spec.seeds)
    return [RunSpec(spec.experiment, spec.preset, spec.overrides, tuple(sorted(seeds)))
            for spec, seeds in merged.values()]


def plan(scale: str) -> list[Step]:
    """Every step of ``rflab reproduce --scale SCALE``, in order: runs, checks, then every figure."""
    from rflab.figures import FIGURES

    return [*run_steps(scale), ChecksStep(), *(FigureStep(name) for name in FIGURES)]


def check_scale(scale: str) -> None:
    """A one-line ConfigError unless the scale is quick or paper."""
    if scale not in SCALES:
        raise ConfigError(f"--scale {scale!r}: allowed {', '.join(SCALES)}")


def manifest_path(root: Path, scale: str) -> Path:
    return root / f"reproduce-{scale}.json"


def load_manifest(root: Path, scale: str) -> dict[str, Any]:
    """The manifest of the last reproduce at this scale, or an empty one."""
    path = manifest_path(root, scale)
    if not path.exists():
        return {"scale": scale, "steps": {}}
    try:
        manifest = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StoreError(f"the reproduce manifest {path} is damaged ({e}); remove it and run rflab reproduce "
                         f"--scale {scale} again (stored runs are reused)") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("steps"), dict):
        raise StoreError(f"the reproduce manifest {path} is damaged (no steps); remove it and run rflab reproduce "
                         f"--scale {scale} again (stored runs are reused)")
    return manifest


def peak_rss_mib() -> float:
    """The command's peak resident memory so far, in MiB: this process's (Linux reports KiB, macOS bytes)
    and its storing processes' peaks (``writers.peak_bytes``), an upper bound."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    own = peak / 2**20 if sys.platform == "darwin" else peak / 1024
    return own + writers.peak_bytes() / 2**20


def plot_modules(module: ModuleType) -> list[ModuleType]:
    """The ``rflab.plots`` modules that ``module`` uses at its top level, and those they use in turn."""
    found: dict[str, ModuleType] = {}
    todo = [module]
    while todo:
        for value in vars(todo.pop()).values():
            name = value.__name__ if inspect.ismodule(value) else (
                value.__module__ if inspect.isfunction(value) or inspect.isclass(value) else None)
            if name is not None and name.startswith("rflab.plots.") and name not in found:
                found[name] = sys.modules[name]
                todo.append(found[name])
    return [found[name] for name in sorted(found)]


def source_digest(fn: Callable[..., Any]) -> str:
    """A hash of the source of the module that defines ``fn`` and of the plotting modules it draws with:
    a figure or check made by other code, its plots' included, is made again."""
    module = inspect.getmodule(fn)
    assert module is not None
    plots = {m.__name__: inspect.getsource(m) for m in plot_modules(module)}
    return digest({"source": inspect.getsource(module)} | ({"plots": plots} if plots else {}))


def figure_key(name: str, scale: str) -> str:
    """What a figure's files depend on besides the stored runs: its name, the scale, the rflab version
    and the source of the module that makes it."""
    return digest({"figure": name, "scale": scale, "rflab": __version__,
                   "source": source_digest(get_figure(name).make)})


def figure_done(record: Mapping[str, Any] | None, name: str, scale: str, root: Path) -> bool:
    """Whether a manifest record says this figure was made by this version and its files are all there."""
    return (record is not None and record.get("key") == figure_key(name, scale)
            and all((root / f).exists() for f in record.get("files", [])) and bool(record.get("files")))


def timed(make: Callable[[Inputs[Any]], list[Path]], seconds: list[float]) -> Callable[[Inputs[Any]], list[Path]]:
    """A figure's ``make`` that adds the seconds of each call to ``seconds``."""
    def run(inputs: Inputs[Any]) -> list[Path]:
        start = time.perf_counter()
        try:
            return make(inputs)
        finally:
            seconds.append(time.perf_counter() - start)

    return run


def checks_path(root: Path, scale: str) -> Path:
    """The JSON file the direct checks write at a scale."""
    return output(root / "figures", "checks", scale, ".json")


def checks_key(scale: str) -> str:
    """What the checks' file depends on: the scale, the rflab version and the source of the checks."""
    from rflab.figures import checks

    return digest({"checks": scale, "rflab": __version__, "source": source_digest(checks.measure)})


def checks_done(record: Mapping[str, Any] | None, scale: str, root: Path) -> bool:
    """Whether a manifest record says the checks were made by this version and their file is there."""
    return record is not None and record.get("key") == checks_key(scale) and checks_path(root, scale).exists()


def reused_runs(step: Step, previous: dict[str, Any], trained: int) -> tuple[float, float]:
    """The seconds a figure remade from stored runs alone took to train them when it was last made, and
    the peak memory then (zeros otherwise), so that its measurement stays what computing it from nothing
    takes, not the making."""
    made = previous.get("made")
    if not isinstance(step, FigureStep) or trained or not made:
        return 0.0, 0.0
    return (max(0.0, float(made["seconds"]) - float(made.get("make_seconds", 0.0))),
            float(made.get("peak_rss_mib", 0.0)))


@dataclass
class Reproduction:
    """One reproduce: the scale, the store root, and whether to remake what is stored."""

    scale: str
    root: Path
    force: bool = False
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_scale(self.scale)
        self.manifest = load_manifest(self.root, self.scale)

    def do(self, step: Step, watch: Watcher = quiet) -> dict[str, Any]:
        """Do one step (or find it done), record it in the manifest and return the record; a step that
        fails is recorded with its error and the others go on. ``watch`` hears about the runs."""
        start = time.perf_counter()
        previous = self.manifest["steps"].get(step.key, {})
        earlier = float(previous.get("unfinished", 0.0))
        kept, trained = [earlier], [0]

        def note() -> None:
            trained[0] += 1
            kept[0] = earlier + time.perf_counter() - start
            self.manifest["steps"][step.key] = previous | {"unfinished": kept[0]}
            write_json(manifest_path(self.root, self.scale), self.manifest)

        watch = noting(watch, note)
        try:
            if isinstance(step, RunStep):
                record = self._runs(step, watch)
            elif isinstance(step, FigureStep):
                record = self._figure(step, watch)
            else:
                record = self._checks()
        except Exception as e:  # one failing figure must not stop the others or the report
            record = {"kind": type(step).__name__, "computed": 0, "stored": 0, "error": f"{type(e).__name__}: {e}"}
        record |= {"label": step.label, "seconds": time.perf_counter() - start, "peak_rss_mib": peak_rss_mib()}
        reused_seconds, reused_peak = reused_runs(step, previous, trained[0])
        made = ({"seconds": earlier + record["seconds"] + reused_seconds,
                 "peak_rss_mib": max(record["peak_rss_mib"], reused_peak), "at": time.time()}
                | ({"make_seconds": record["make_seconds"]} if "make_seconds" in record else {})
                if (record.get("computed") or earlier) and "error" not in record else previous.get("made"))
        record |= ({"made": made} if made else {}) | ({"unfinished": kept[0]} if "error" in record and kept[0] else {})
        self.manifest["steps"][step.key] = record
        self.manifest |= {"rflab": __version__, "updated": time.time()}
        write_json(manifest_path(self.root, self.scale), self.manifest)
        jax.clear_caches()  # a finished step's compiled programs (the persistent XLA cache keeps them on disk)
        resources.release_freed_memory()  # the next step's peak starts from what is in use, not from this one's
        return record

    def _runs(self, step: RunStep, watch: Watcher) -> dict[str, Any]:
        spec = step.runs
        runs, computed = ensure(get_experiment(spec.experiment), spec.config(), spec.seeds, Store(self.root),
                                watch(step.label), self.force)
        return {"kind": "runs", "run_ids": [r.run_id for r in runs], "computed": len(computed),
                "stored": len(runs) - len(computed)}

    def _figure(self, step: FigureStep, watch: Watcher) -> dict[str, Any]:
        """Make a figure unless it is current; the record says how long making it took once its runs
        were loaded or computed (``make_seconds``, what a dry run estimates from)."""
        old = self.manifest["steps"].get(step.key)
        if not self.force and figure_done(old, step.figure, self.scale, self.root):
            return dict(old) | {"computed": 0, "stored": 1}
        figure, made = get_figure(step.figure), list[float]()
        files = render(replace(figure, make=timed(figure.make, made)), self.scale, self.root / "figures",
                       Store(self.root), watch)
        return {"kind": "figure", "key": figure_key(step.figure, self.scale), "computed": 1, "stored": 0,
                "make_seconds": sum(made),
                "files": [str(Path(f).resolve().relative_to(self.root.resolve())) for f in files]}

    def _checks(self) -> dict[str, Any]:
        from rflab.figures import checks

        path = checks_path(self.root, self.scale)
        old = self.manifest["steps"].get("checks")
        key = checks_key(self.scale)
        if not self.force and checks_done(old, self.scale, self.root):
            return dict(old) | {"computed": 0, "stored": 1}
        write_json(path, checks.measure())
        return {"kind": "checks", "key": key, "computed": 1, "stored": 0,
                "files": [str(path.relative_to(self.root))]}

    def finish(self, seconds: float) -> dict[str, Any]:
        """Record the whole reproduce: wall time, peak memory, how many steps computed something, how many
        came whole from the store, how many failed; returns the summary."""
        steps = [self.manifest["steps"][s.key] for s in plan(self.scale) if s.key in self.manifest["steps"]]
        failed = [r for r in steps if "error" in r]
        computed = [r for r in steps if r.get("computed") and "error" not in r]
        from rflab.bench import machine

        summary = {"seconds": seconds, "peak_rss_mib": peak_rss_mib(), "finished": time.time(),
                   "cpus": os.cpu_count(), "machine": machine(), "computed": len(computed),
                   "from_store": len(steps) - len(computed) - len(failed), "failed": len(failed),
                   "runs_computed": sum(r["computed"] for r in computed if r["kind"] == "runs")}
        self.manifest["last"] = summary
        self.manifest.setdefault("history", []).append(summary)
        write_json(manifest_path(self.root, self.scale), self.manifest)
        return summary


@dataclass(frozen=True)
class RunsCost:
    """The runs of one RunSpec in a step of the plan: how many seeds are stored, how many this step
    computes and how many an earlier step computes, and the estimated seconds of those it computes
    (None: no rate measured for them; ``borrowed``: the rate was measured on a similar configuration)."""

    spec: RunSpec
    stored: int
    compute: int
    earlier: int
    seconds: float | None = None
    borrowed: bool = False


@dataclass(frozen=True)
class StepCost:
    """A step of the plan: whether it is done already, its runs, and its own seconds beyond them (a
    figure's making, the checks) as the manifest last measured them, else as the shipped timings
    measured them (``shipped``; None: measured by neither)."""

    step: Step
    done: bool
    runs: tuple[RunsCost, ...] = ()
    own: float | None = 0.0
    shipped: bool = False

    @property
    def runs_seconds(self) -> float | None:
        """The estimated seconds of the runs this step computes (None if one has no rate)."""
        parts = [r.seconds for r in self.runs]
        return None if None in parts else sum(p for p in parts if p is not None)


def runs_count(spec: RunSpec, store: Store | None, counted: set[str], force: bool = False) -> RunsCost:
    """A RunSpec's seeds in a step, given the run ids earlier steps compute (``counted``, which gains
    this step's); ``force`` computes every seed again (as ``ensure`` does); a store of None holds
    nothing. No seconds yet."""
    ids = run_ids(get_experiment(spec.experiment), spec.config().model_dump(), spec.seeds)
    stored = set() if force or store is None else {
        s for s in spec.seeds if ids[s] not in counted and store.get(ids[s]) is not None}
    missing = [s for s in spec.seeds if s not in stored]
    earlier = [] if force else [s for s in missing if ids[s] in counted]
    counted.update(ids[s] for s in missing)
    return RunsCost(spec, len(stored), len(missing) - len(earlier), len(earlier))


def calls(costs: list[StepCost]) -> dict[tuple[int, int], tuple[tuple[int, int], ...]]:
    """The runs that train in one call, by their first, grouped within a step as ``load_all`` groups
    them (``by_experiment``, then ``families``; a run's seeds to compute stand for the seeds it lacks).
    Keys and members are (step index, run index); runs with nothing to compute are in no call."""
    out: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {}
    for i, c in enumerate(costs):
        for (name, _), members in by_experiment([r.spec for r in c.runs]).items():
            lacking = [range(c.runs[j].compute) for j in members]
            for group in families(get_experiment(name), [c.runs[j].spec.config() for j in members], lacking):
                found = tuple((i, members[k]) for k in group)
                out[found[0]] = found
    return out


def priced(costs: list[StepCost], rates: Rates) -> list[StepCost]:
    """Every step with the estimated seconds of the runs it computes: a call of several runs is priced
    as that call and charged to its first run (the others cost nothing more)."""
    runs = [[replace(r, seconds=0.0) for r in c.runs] for c in costs]
    for (i, j), members in calls(costs).items():
        cost = costs[i].runs[j]
        experiment, cfgs = get_experiment(cost.spec.experiment), together(costs, members)
        runs[i][j] = replace(cost, seconds=rates.seconds(experiment, cfgs, cost.compute),
                             borrowed=bool(cost.compute) and rates.borrowed(experiment, cfgs))
        for k, m in members[1:]:
            runs[k][m] = replace(costs[k].runs[m], seconds=0.0)
    return [replace(c, runs=tuple(r)) for c, r in zip(costs, runs, strict=True)]


def together(costs: list[StepCost], members: tuple[tuple[int, int], ...]) -> tuple[Config, ...]:
    """The configs of the runs of one call."""
    return tuple(costs[i].runs[j].spec.config() for i, j in members)


def made_seconds(record: Mapping[str, Any] | None, field: str) -> float | None:
    """A duration the manifest recorded when the step last computed something, if it did."""
    made = (record or {}).get("made") or {}
    value = made.get(field)
    return float(value) if isinstance(value, (int, float)) else None


def shipped_making(scale: str) -> dict[str, Any]:
    """The shipped timings at a scale (``making.json``, written by ``rflab report --making``): each
    step's own seconds (``seconds``: a figure's making, the checks) and the ``machine`` that measured them."""
    data = json.loads(MAKING.read_text(encoding="utf-8")) if MAKING.exists() else {}
    return dict(data.get(scale, {}))


def making(root: Path, scale: str) -> dict[str, Any]:
    """The store's measured own seconds of every step at a scale that has them (a figure's making, the
    checks' whole time) and the machine they were measured on, for ``making.json``."""
    manifest = load_manifest(root, scale)
    seconds = {}
    for step in plan(scale):
        record = manifest["steps"].get(step.key)
        own = made_seconds(record, "make_seconds" if isinstance(step, FigureStep) else "seconds")
        if own is not None and not isinstance(step, RunStep):
            seconds[step.key] = round(own, 1)
    return {"machine": manifest.get("last", {}).get("machine"), "seconds": seconds}


def write_making(path: Path, scale: str, timed: Mapping[str, Any]) -> None:
    """Put ``timed`` (what :func:`making` reads from a store) as ``scale``'s entry of the timings file ``path``,
    its other scales kept."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    write_json(path, data | {scale: dict(timed)})


def counts(scale: str, root: Path, force: bool = False, empty: bool = False) -> list[StepCost]:
    """Every step of the plan with what is done already and, for the rest, the seeds each computes
    (each missing run counted in the first step that needs it) and its own seconds as last measured,
    else as the shipped timings measured them; ``empty``: as if the store held no run, no figure and
    no measurement (what a fresh clone's dry run counts)."""
    manifest, store, counted = load_manifest(root, scale), None if empty else Store(root), set[str]()
    shipped = {key: float(seconds) for key, seconds in shipped_making(scale).get("seconds", {}).items()}
    out = []

    def own(step: Step, record: Mapping[str, Any] | None, field: str) -> dict[str, Any]:
        measured = None if empty else made_seconds(record, field)
        if measured is None and step.key in shipped:
            return {"own": shipped[step.key], "shipped": True}
        return {"own": measured}

    for step in plan(scale):
        record = manifest["steps"].get(step.key)
        if isinstance(step, RunStep):
            cost = runs_count(step.runs, store, counted, force)
            out.append(StepCost(step, cost.compute == 0 and cost.earlier == 0, (cost,)))
        elif isinstance(step, FigureStep):
            if not (force or empty) and figure_done(record, step.figure, scale, root):
                out.append(StepCost(step, True))
                continue
            specs = get_figure(step.figure).scale(scale).runs.values()
            runs = tuple(runs_count(spec, store, counted) for spec in specs)
            out.append(StepCost(step, False, runs, **own(step, record, "make_seconds")))
        elif not (force or empty) and checks_done(record, scale, root):
            out.append(StepCost(step, True))
        else:
            out.append(StepCost(step, False, (), **own(step, record, "seconds")))
    return out


def estimate(scale: str, root: Path, rates: Rates, force: bool = False, empty: bool = False) -> list[StepCost]:
    """Every step of ``rflab reproduce --scale SCALE`` with what is done already and what the rest will
    cost: runs from measured rates (``results.costs``; ``rates`` probes what it lacks, if it measures),
    a family's runs as the one call that trains them, a figure's making and the checks from the
    manifest's last measurement of them; ``empty``: as if the store held nothing (``counts``)."""
    check_scale(scale)
    steps = counts(scale, root, force, empty)
    groups = calls(steps)
    rates.prepare([Wanted(get_experiment(steps[i].runs[j].spec.experiment), together(steps, members),
                          steps[i].runs[j].spec.label, steps[i].runs[j].compute)
                   for (i, j), members in groups.items()])
    return priced(steps, rates)


def measured_total(costs: list[StepCost]) -> float:
    """The estimated seconds of everything measured: every run with a rate and every step's own time
    that the manifest recorded."""
    runs = sum(r.seconds or 0.0 for c in costs for r in c.runs)
    return runs + sum(c.own or 0.0 for c in costs if not c.done)


def not_measured(costs: list[StepCost]) -> list[StepCost]:
    """The steps still to do whose own time (beyond their runs) was never measured."""
    return [c for c in costs if not c.done and c.own is None]


def weights(costs: list[StepCost]) -> list[float] | None:
    """Each step's estimated seconds, for a progress bar of the time done, or None when a run has no
    rate or nothing is left to estimate (the bar counts steps then); a step's own unmeasured time
    weighs nothing."""
    seconds = [c.runs_seconds for c in costs]
    if None in seconds:
        return None
    out = [(s or 0.0) + (0.0 if c.done else c.own or 0.0) for s, c in zip(seconds, costs, strict=True)]
    return out if sum(out) > 0 else None
