"""``rflab reproduce --dry-run``: the plan with what is done and measured estimates of the rest. A dry
run trains and writes nothing but the rates; its estimate of a tiny plan agrees with running it; the
rates are measured once; a run two steps need is paid once; bad input is one line."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Cli

from rflab.report import reproduce as rp
from rflab.results import costs
from rflab.results.cache import RunSpec

TINY = {"N": 16, "steps": 160, "batch_size": 256, "snapshots": 4}
SPEC = RunSpec("rf-neuron", "nlgp", TINY, (0, 1))
FACTOR = 2.0  # the estimate of a run lasting seconds is within this factor of its wall time (1.2 here)


def tiny_steps(scale: str) -> list[rp.RunStep]:
    return [rp.RunStep("rf-neuron/nlgp", SPEC)]


@pytest.fixture
def tiny_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """One rf-neuron step of two seeds and one figure without runs, in place of the real plan."""
    monkeypatch.setattr(rp, "run_steps", tiny_steps)
    monkeypatch.setattr(rp, "plan", lambda scale: [*tiny_steps(scale), rp.FigureStep("fig2")])


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The experiments probed (the probes still run)."""
    seen: list[str] = []
    real = costs.probe

    def counted(experiment, cfg):  # type: ignore[no-untyped-def]
        seen.append(experiment.name)
        return real(experiment, cfg)

    monkeypatch.setattr(costs, "probe", counted)
    return seen


def test_a_dry_run_writes_no_run_and_no_figure(tmp_path: Path, cli: Cli, tiny_plan: None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rp, "MAKING", tmp_path / "no-timings.json")
    root = tmp_path / "s"
    code, out, _ = cli(["reproduce", "--dry-run", "--store", str(root)])
    assert code == 0
    assert sorted(p.name for p in root.iterdir()) == ["costs.json"]
    assert out.startswith(f"runs {SPEC.label}  [2 to compute]  ")
    assert "figure fig2: its own making, not yet measured" in out and "estimated total of the rest: " in out
    assert "not in the total, not yet measured: the making of 1 steps beyond their runs (figure fig2)" in out


def test_a_making_never_timed_here_comes_from_the_shipped_timings(tmp_path: Path, cli: Cli, tiny_plan: None,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh clone's dry run prices a figure's making as the shipped timings measured it, marked as
    such; once the store's own reproduce has timed it, its own measurement wins."""
    timings = tmp_path / "making.json"
    timings.write_text(json.dumps({"quick": {"machine": "a test CPU", "seconds": {"figure:fig2": 7.5}}}))
    monkeypatch.setattr(rp, "MAKING", timings)
    root = tmp_path / "s"
    code, out, _ = cli(["reproduce", "--dry-run", "--store", str(root)])
    assert code == 0 and "making the figure: ~8 s" in out and "not yet measured" not in out
    assert "its making as timed by the reproduce behind rflab's shipped timings (a test CPU)" in out
    (fig2,) = [c for c in rp.estimate("quick", root, costs.Rates(root)) if isinstance(c.step, rp.FigureStep)]
    assert fig2.shipped and fig2.own == 7.5
    rp.Reproduction("quick", root).do(rp.FigureStep("fig2"))
    manifest = rp.load_manifest(root, "quick")
    manifest["steps"]["figure:fig2"]["key"] = "stale"  # made by another version: to make again
    (root / "reproduce-quick.json").write_text(json.dumps(manifest))
    (fig2,) = [c for c in rp.estimate("quick", root, costs.Rates(root)) if isinstance(c.step, rp.FigureStep)]
    assert not fig2.shipped and fig2.own == manifest["steps"]["figure:fig2"]["made"]["make_seconds"] != 7.5
    (fig2,) = [c for c in rp.estimate("quick", root, costs.Rates(root), empty=True)
               if isinstance(c.step, rp.FigureStep)]
    assert fig2.shipped and fig2.own == 7.5  # an empty store's estimate is a fresh clone's


def test_report_making_writes_the_timings_of_a_whole_reproduce_only(tmp_path: Path, cli: Cli, tiny_plan: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root, timings = tmp_path / "s", tmp_path / "making.json"
    timings.write_text(json.dumps({"paper": {"machine": "kept", "seconds": {"figure:fig2": 1.0}}}))
    code, _, err = cli(["report", "--scale", "quick", "--store", str(root), "--making", str(timings)])
    assert code == 2 and err.count("\n") == 1 and "has not timed 1 steps (figure fig2)" in err
    assert json.loads(timings.read_text())["paper"]["machine"] == "kept"
    job = rp.Reproduction("quick", root)
    for step in rp.plan("quick"):
        job.do(step)
    job.finish(1.0)
    code, _, err = cli(["report", "--scale", "quick", "--store", str(root), "--making", str(timings)])
    assert code == 0, err
    written = json.loads(timings.read_text())
    assert written["paper"]["machine"] == "kept" and list(written["quick"]["seconds"]) == ["figure:fig2"]
    assert written["quick"]["machine"] and written["quick"]["seconds"]["figure:fig2"] >= 0


@pytest.mark.slow  # a wall-time comparison: noisy on a shared CPU with a cold XLA cache, so out of the default run
def test_the_estimate_of_a_tiny_plan_agrees_with_running_it(tmp_path: Path, tiny_plan: None,
                                                             probes: list[str]) -> None:
    root = tmp_path / "s"
    steps = rp.estimate("quick", root, costs.Rates(root))
    assert probes == ["rf-neuron", "rf-neuron"]  # the first probe of an estimate warms the process up
    estimated = steps[0].runs_seconds
    assert estimated is not None and not steps[0].done
    job = rp.Reproduction("quick", root)
    start = time.perf_counter()
    record = job.do(rp.plan("quick")[0])
    measured = time.perf_counter() - start
    assert record["computed"] == 2
    assert measured / FACTOR < estimated < measured * FACTOR, (estimated, measured)
    after = rp.estimate("quick", root, costs.Rates(root))
    assert after[0].done and after[0].runs_seconds == 0


def test_the_rates_are_measured_once(tmp_path: Path, tiny_plan: None, probes: list[str]) -> None:
    root = tmp_path / "s"
    first = rp.measured_total(rp.estimate("quick", root, costs.Rates(root)))
    second = rp.measured_total(rp.estimate("quick", root, costs.Rates(root)))
    assert probes == ["rf-neuron", "rf-neuron"] and first == second > 0
    assert rp.weights(rp.estimate("quick", root, costs.Rates(root, measure=False))) is not None
    assert rp.weights(rp.estimate("quick", tmp_path / "empty", costs.Rates(tmp_path / "empty", measure=False))) is None


def test_an_online_run_is_probed_on_one_wave_for_an_eighth_of_its_time() -> None:
    """ig-two-layer's length is its ``time``: the probe trains one wave of seeds for an eighth of it (as
    a multiple of the snapshots), so a run of more seeds than devices is priced by the waves it takes,
    not as if the probe's seeds had trained one after the other."""
    from rflab.experiments import get_experiment

    experiment = get_experiment("ig-two-layer")
    cfg = experiment.configure(None, {"N": 10, "time": 160, "snapshots": 4})
    assert costs.length_field(cfg) == "time" and costs.probe_length(cfg) == 20
    seen: list[tuple[int, int]] = []

    def spy(cfg, seeds, progress=None):  # type: ignore[no-untyped-def]
        seen.append((cfg.time, len(seeds)))
        return experiment.run(cfg, seeds, progress)

    rate = costs.probe(replace(experiment, run=spy), [cfg])
    assert seen == [(20, costs.probe_seeds(experiment, cfg))] and rate.wave == seen[0][1]
    assert rate.per_length > 0


def test_a_run_two_steps_need_is_paid_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    twice = [rp.RunStep("a", SPEC), rp.RunStep("b", SPEC)]
    monkeypatch.setattr(rp, "plan", lambda scale: twice)
    monkeypatch.setattr(costs, "probe", lambda experiment, cfg: costs.Rate(1.0, 0.01, 0.5, 2, 1, 0.0))
    first, second = rp.estimate("quick", tmp_path / "s", costs.Rates(tmp_path / "s"))
    assert (first.runs[0].compute, second.runs[0].compute, second.runs[0].earlier) == (2, 0, 2)
    assert first.runs_seconds and second.runs_seconds == 0
    forced = rp.estimate("quick", tmp_path / "s", costs.Rates(tmp_path / "s"), force=True)
    assert [s.runs[0].compute for s in forced] == [2, 2]


def test_a_family_beyond_the_budget_borrows_a_measured_rate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bigger = RunSpec("rf-neuron", "nlgp", TINY | {"batch_size": 512}, (0, 1))
    many = RunSpec("rf-neuron", "nlgp", TINY, tuple(range(64)))  # so that the plan spends little on bigger
    monkeypatch.setattr(rp, "plan", lambda scale: [rp.RunStep("a", many), rp.RunStep("b", bigger)])
    monkeypatch.setattr(costs, "probe", lambda experiment, cfg: costs.Rate(1.0, 0.01, 0.5, 2, 1000, 5.0))
    a, b = rp.estimate("quick", tmp_path / "s", costs.Rates(tmp_path / "s", budget=0.0))
    assert not a.runs[0].borrowed and b.runs[0].borrowed
    assert b.runs_seconds is not None and a.runs_seconds is not None and b.runs_seconds / 2 > a.runs_seconds / 64
    entries = json.loads((tmp_path / "s" / "costs.json").read_text())["rates"]
    assert sorted(e["from"] is None for e in entries.values()) == [False, True]


@pytest.mark.parametrize(("seeds", "probed"), [((0, 1), False), (tuple(range(64)), True)])
def test_a_family_the_plan_spends_a_tenth_on_is_probed_past_the_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeds: tuple[int, ...], probed: bool) -> None:
    """With no budget left, a second family borrows unless the plan spends a tenth of its time or more
    on it (here, as many seeds as the first family's 64), then it is probed."""
    bigger = RunSpec("rf-neuron", "nlgp", TINY | {"batch_size": 512}, seeds)
    many = RunSpec("rf-neuron", "nlgp", TINY, tuple(range(64)))
    monkeypatch.setattr(rp, "plan", lambda scale: [rp.RunStep("a", many), rp.RunStep("b", bigger)])
    monkeypatch.setattr(costs, "probe", lambda experiment, cfg: costs.Rate(1.0, 0.01, 0.5, 2, 1000, 5.0))
    a, b = rp.estimate("quick", tmp_path / "s", costs.Rates(tmp_path / "s", budget=0.0))
    assert not a.runs[0].borrowed and b.runs[0].borrowed is not probed


@pytest.mark.parametrize(("args", "says"), [
    (["--scale", "huge"], "--scale 'huge'"),
    (["--memory-limit", "lots"], "--memory-limit"),
])
def test_bad_input_to_a_dry_run_is_one_line_exit_2(tmp_path: Path, cli: Cli, args: list[str], says: str) -> None:
    code, _, err = cli(["reproduce", "--dry-run", *args, "--store", str(tmp_path / "s")])
    assert code == 2 and err.count("\n") == 1 and says in err
    assert not (tmp_path / "s").exists()


def test_damaged_rates_are_one_line_exit_2(tmp_path: Path, cli: Cli, tiny_plan: None) -> None:
    root = tmp_path / "s"
    root.mkdir()
    (root / "costs.json").write_text('{"rates": {"k": {"rate": {"start": 1}}}}')
    code, _, err = cli(["reproduce", "--dry-run", "--store", str(root)])
    assert code == 2 and err.count("\n") == 1 and "costs.json are damaged" in err


@pytest.mark.slow  # a wall-time comparison, as above
def test_a_family_of_runs_is_priced_as_the_one_call_that_trains_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   probes: list[str]) -> None:
    """A figure's gains of one family train in one call on shared draws: the estimate probes that call
    (three points) and charges it to the first run, within the factor of running the figure's runs."""
    from rflab.figures.base import Figure, Scale
    from rflab.results.cache import load_all
    from rflab.results.store import Store

    specs = {f"g={g}": RunSpec("rf-neuron", "nlgp", TINY | {"g": g}, (0, 1)) for g in (1.0, 10.0, 100.0)}
    figure = Figure("gains", "three gains", {"quick": Scale(specs)}, lambda inputs: [])
    monkeypatch.setattr(rp, "plan", lambda scale: [rp.FigureStep("gains")])
    monkeypatch.setattr(rp, "get_figure", lambda name: figure)
    root = tmp_path / "s"
    step = rp.estimate("quick", root, costs.Rates(root))[0]
    assert [r.seconds == 0 for r in step.runs] == [False, True, True]
    families = [e["family"]["points"] for e in json.loads((root / "costs.json").read_text())["rates"].values()]
    assert families == [3] and probes == ["rf-neuron", "rf-neuron"]
    start = time.perf_counter()
    load_all(specs, Store(root))
    measured = time.perf_counter() - start
    assert measured / FACTOR < step.runs_seconds < measured * FACTOR, (step.runs_seconds, measured)


def test_an_estimate_pays_the_start_once_per_call_of_the_split() -> None:
    """Claim 3.2's Kur family (10 tails, batch 50,000, 1000 steps) trains its 100 seeds in 20 calls of 5
    (``resources.WORK_PER_CALL``), one tail alone in 2 calls of 50: the estimate pays the start once a
    call and one wave per seed."""
    from dataclasses import replace

    from rflab import resources
    from rflab.experiments import get_experiment

    neuron = get_experiment("rf-neuron")
    family = [neuron.configure(None, {"data": "kur", "k": k, "batch_size": 50_000, "steps": 1000, "xi": (0.3, 0.7)})
              for k in (4.1, 4.5, 5.0, 5.4, 6.1, 7.7, 10.0, 20.0, 30.0, 50.0)]
    rate = costs.Rate(start=10.0, per_length=0.01, per_seed=1.0, wave=1, size=costs.size(neuron, family[0]),
                      probe_seconds=0.0)
    with resources.memory_limit(64 * resources.GiB):
        assert costs.seconds(rate, neuron, family, 100) == pytest.approx(20 * 10.0 + 100 * 0.01 * 1000 + 100)
        assert costs.seconds(rate, neuron, family[:1], 100) == pytest.approx(2 * 10.0 + 100 * 0.01 * 1000 + 100)
        two = replace(rate, wave=2)  # two devices: 25 calls of 4 seeds, two waves each
        assert costs.seconds(two, neuron, family, 100) == pytest.approx(25 * 10.0 + 50 * 0.01 * 1000 + 100)


def test_a_borrowed_rate_scales_training_by_the_values_sampled_not_the_memory() -> None:
    """A dipole code's epoch on 8000 images samples four times the pixels of one on 2000 (its time was
    measured at 3.9 times), though its memory per seed is not twice as large: the borrowed rate's training
    is four times as long, its start and its per-seed measuring the same."""
    from rflab.experiments import get_experiment

    dipole = get_experiment("dipole-3d")
    small, large = (dipole.configure("mdl", {"n_train": n, "weight_var": 100.0}) for n in (2000, 8000))
    assert dipole.footprint(costs.with_length(large, 1)).per_seed < 2 * dipole.footprint(
        costs.with_length(small, 1)).per_seed
    rate = costs.Rate(start=10.0, per_length=0.01, per_seed=1.0, wave=1, size=costs.size(dipole, small),
                      probe_seconds=0.0)
    training = lambda cfg: costs.seconds(rate, dipole, [cfg], 1) - 10.0 - 1.0  # noqa: E731
    assert training(small) == pytest.approx(0.01 * small.epochs)
    assert training(large) == pytest.approx(4 * 0.01 * small.epochs)
