"""``rflab reproduce`` and ``rflab report``: the plan covers every experiment and figure; a second
reproduce comes whole from the store; the report embeds every image and judges every claim."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from unittest import mock

import pytest
from conftest import Cli
from PIL import Image

from rflab.experiments import EXPERIMENTS
from rflab.figures import FIGURES
from rflab.figures.checks import Checks
from rflab.report import build
from rflab.report import reproduce as rp
from rflab.report.claims import CLAIMS, CROSS_CHECKS
from rflab.report.judging import NOT_CHECKABLE, NOT_REPRODUCED, NOT_RUN, REPRODUCED, VERDICTS
from rflab.results.cache import RunSpec
from rflab.schema import check

TINY = {"epochs": 2, "n_train": 128, "n_test": 64, "snapshots": 2}
SEED_GALLERY = next(s.gallery for s in rp.run_steps("quick") if s.key == "dipole-3d/hinton-problems")


def tiny_steps(scale: str) -> list[rp.RunStep]:
    return [rp.RunStep("dipole-3d/hinton-problems", RunSpec("dipole-3d", "hinton-problems", TINY, (0, 1)),
                       SEED_GALLERY)]


@pytest.fixture
def tiny_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A two-run, one-figure plan in place of the real ones (same code paths, seconds to run)."""
    monkeypatch.setattr(rp, "run_steps", tiny_steps)
    monkeypatch.setattr(rp, "plan", lambda scale: [*tiny_steps(scale), rp.ChecksStep(), rp.FigureStep("fig2")])


def reproduce(root: Path, scale: str = "quick") -> dict:
    """Every step of the plan, each ending by dropping the compiled programs it made: kept, they piled up
    (300 MiB over the quick scale's last five figures, in one process); a later step that needs one again
    reads it from the persistent XLA cache."""
    job = rp.Reproduction(scale, root)
    start = time.perf_counter()
    with mock.patch.object(rp.jax, "clear_caches", wraps=rp.jax.clear_caches) as dropped:
        records = [job.do(step) for step in rp.plan(scale)]
    assert not [r for r in records if "error" in r], records
    assert dropped.call_count == len(records)
    return job.finish(time.perf_counter() - start) | {"records": records}


def test_the_plan_covers_every_experiment_and_figure_at_both_scales() -> None:
    for scale in rp.SCALES:
        steps = rp.plan(scale)
        assert {s.runs.experiment for s in steps if isinstance(s, rp.RunStep)} == set(EXPERIMENTS)
        assert [s.figure for s in steps if isinstance(s, rp.FigureStep)] == list(FIGURES)
        assert len({s.key for s in steps}) == len(steps)
    quick = {s.key: s for s in rp.run_steps("quick")}
    paper = {s.key: s for s in rp.run_steps("paper")}
    assert quick.keys() == paper.keys()
    assert all(set(quick[k].runs.seeds) <= set(paper[k].runs.seeds) for k in quick)
    assert all(s.runs.seeds == (0, 1, 2, 3, 4) for k, s in paper.items() if k != "dipole-3d/hinton-problems-600")


def test_dry_run_prints_the_plan(tmp_path: Path, cli: Cli, tiny_plan: None) -> None:
    code, out, _ = cli(["reproduce", "--dry-run", "--store", str(tmp_path / "s")])
    assert code == 0
    lines = [line for line in out.splitlines() if not line.startswith("  ")]
    assert [line.split("  [")[0].split(":")[0] for line in lines[:3]] == [
        f"runs {rp.plan('quick')[0].label}", "checks (data statistics, amplifier)", "figure fig2"]


@pytest.mark.parametrize("command", [["reproduce", "--scale", "huge"], ["report", "--scale", "huge"]])
def test_a_bad_scale_is_one_line_exit_2(tmp_path: Path, command: list[str], cli: Cli) -> None:
    code, _, err = cli([*command, "--store", str(tmp_path / "s")])
    assert code == 2 and err.count("\n") == 1 and "--scale 'huge'" in err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(("args", "says"), [(["--executor", "spark"], "--executor 'spark'"),
                                            (["--workers", "2"], "need --executor dask"),
                                            (["--executor", "dask", "--force"], "--force recomputes in this process")])
def test_bad_executor_options_are_one_line_exit_2(tmp_path: Path, args: list[str], says: str, cli: Cli) -> None:
    code, _, err = cli(["reproduce", *args, "--store", str(tmp_path / "s")])
    assert code == 2 and err.count("\n") == 1 and says in err, err
    assert not (tmp_path / "s").exists()


@pytest.mark.slow  # a LocalCluster start; .ci/run runs it in its slow subset
def test_reproduce_on_two_dask_workers_trains_the_runs_there_and_the_steps_find_them(
        tmp_path: Path, tiny_plan: None, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    monkeypatch.setattr(rp, "plan_runs", lambda scale: [step.runs for step in tiny_steps(scale)])
    root = tmp_path / "s"
    code, _, err = cli(["reproduce", "--executor", "dask", "--workers", "2", "--store", str(root)])
    assert code == 0, err
    assert "1 calls on Dask" in err and "2 runs trained" in err
    manifest = json.loads(rp.manifest_path(root, "quick").read_text())
    assert manifest["steps"]["dipole-3d/hinton-problems"]["computed"] == 0  # stored by the workers
    assert manifest["steps"]["dipole-3d/hinton-problems"]["stored"] == 2


def test_a_second_reproduce_comes_whole_from_the_store(tmp_path: Path, tiny_plan: None) -> None:
    root = tmp_path / "s"
    first = reproduce(root)
    assert first["computed"] == 3 and first["runs_computed"] == 2
    arrays = sorted(root.glob("runs/*/arrays.npz"))
    stamps = [p.stat().st_mtime_ns for p in arrays]
    figure = root / "figures" / "fig2-quick.png"
    figure_stamp = figure.stat().st_mtime_ns
    assert check(Checks, json.loads((root / "figures" / "checks-quick.json").read_text())) == []
    second = reproduce(root)
    assert second["computed"] == 0 and second["from_store"] == 3 and second["runs_computed"] == 0
    assert all(r["computed"] == 0 for r in second["records"])
    assert [p.stat().st_mtime_ns for p in arrays] == stamps and figure.stat().st_mtime_ns == figure_stamp
    assert second["seconds"] < 5
    manifest = rp.load_manifest(root, "quick")
    assert [h["computed"] for h in manifest["history"]] == [3, 0]
    figure.unlink()
    third = reproduce(root)
    assert third["computed"] == 1 and figure.exists()


def test_a_step_finished_in_a_later_sitting_counts_the_earlier_sittings_up_to_their_last_stored_run(
        tmp_path: Path, tiny_plan: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root, step = tmp_path / "s", tiny_steps("quick")[0]
    real = rp.ensure

    def stores_then(error: BaseException):
        def ensure(*args, **kwargs):
            time.sleep(0.3)
            args[4].stored(None)
            time.sleep(0.3)  # lost with the interruption: not counted
            raise error
        return ensure

    monkeypatch.setattr(rp, "ensure", stores_then(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        rp.Reproduction("quick", root).do(step)
    first = rp.load_manifest(root, "quick")["steps"][step.key]["unfinished"]
    assert 0.3 <= first < 0.5
    monkeypatch.setattr(rp, "ensure", stores_then(RuntimeError("disk full")))
    failed = rp.Reproduction("quick", root).do(step)
    assert "error" in failed and "made" not in failed and first + 0.3 <= failed["unfinished"] < first + 0.5
    monkeypatch.setattr(rp, "ensure", real)
    done = rp.Reproduction("quick", root).do(step)
    assert done["computed"] == 2 and "unfinished" not in done
    assert done["made"]["seconds"] == pytest.approx(failed["unfinished"] + done["seconds"])
    assert rp.load_manifest(root, "quick")["steps"][step.key] == done


def test_the_report_reads_a_store_whose_reproduce_stopped_while_a_figure_trained(tmp_path: Path,
                                                                                 tiny_plan: None) -> None:
    """A figure step that stored runs and was killed leaves a record with only its time so far: the
    report treats the figure as not made yet (it crashed on the missing file list)."""
    from rflab.files import write_json

    root = tmp_path / "s"
    reproduce(root)
    manifest = rp.load_manifest(root, "quick")
    manifest["steps"]["figure:fig2"] = {"unfinished": 12.5}
    write_json(rp.manifest_path(root, "quick"), manifest)
    (root / "figures" / "fig2-quick.png").unlink()
    page = build(root, "quick", markdown=tmp_path / "md").read_text()
    assert "fig2" in page
    assert "has computed 2 of its 3 steps in this store" in (tmp_path / "md" / "wall-times-quick.md").read_text()


def embedded_images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/(?:png|gif);base64,([^"]+)"', page)]


def test_the_report_embeds_every_image_and_judges_every_claim(tmp_path: Path, tiny_plan: None) -> None:
    root = tmp_path / "s"
    reproduce(root)
    reproduce(root)
    page = build(root, "quick").read_text()
    assert page.count("<img ") == len(embedded_images(page)) >= 4
    for data in embedded_images(page):
        Image.open(io.BytesIO(data)).verify()
    assert base64.b64encode((root / "figures" / "fig2-quick.png").read_bytes()).decode() in page
    def table(kind: str) -> list[tuple[str, ...]]:
        return re.findall(rf'<tr class="{kind}"><td>\d+</td><td>(.*?)</td><td>(.*?)</td><td class="measured">(.*?)</td>'
                          r'<td class="verdict"[^>]*>(.*?)</td><td>(.*?)</td></tr>', page, re.S)

    rows, checks = table("claim"), table("check")
    assert len(rows) == len(CLAIMS) and len(checks) == len(CROSS_CHECKS)
    for claim, source, measured, verdict, reason in rows + checks:
        assert claim and source and verdict in VERDICTS and reason
        assert measured != "&mdash;" or verdict in (NOT_RUN, NOT_CHECKABLE)
    verdict = {html.unescape(r[0]): r[3] for r in rows + checks}
    # what the tiny store decides: two epochs miss the seed's MSE; a half-turn negates the dipole; the
    # direct checks hold Fig. 2's statistics; the MDL run is not in the store
    assert verdict["Test MSE 0.0095 for seed 0 (200 epochs, 2000 train, 500 test)"] == NOT_REPRODUCED
    assert verdict[next(c.text for c in CLAIMS if c.text.startswith("The dipole is symmetric"))] == NOT_REPRODUCED
    assert verdict[next(c.text for c in CLAIMS if c.text.startswith("Fig. 2:"))] == REPRODUCED
    assert verdict[next(c.text for c in CLAIMS if c.text.startswith("Trained on description length"))] == NOT_RUN


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="headless Chromium is not installed")
def test_the_report_opens_in_headless_chromium_with_every_image_loaded(tmp_path: Path, tiny_plan: None) -> None:
    root = tmp_path / "s"
    reproduce(root)
    path = build(root, "quick")
    n = path.read_text().count("<img ")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run",
                           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000", "--dump-dom",
                           path.resolve().as_uri()], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f'data-images="{n}/{n}"' in done.stdout


def test_a_figure_file_from_an_older_rflab_is_not_run_rather_than_a_crash(tmp_path: Path) -> None:
    """A figure JSON that lacks a key the judge reads (written by an older version) gives a 'not run'
    finding that says which file to remake and how."""
    from rflab.report.evidence import Evidence

    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "prop33-quick.json").write_text('{"models": {"custom": {"config": {"N": 40}}}}')
    claim = next(c for c in CLAIMS if c.judge.__name__ == "fig4")
    finding = claim.finding(Evidence(tmp_path, "quick"))
    assert finding.verdict == NOT_RUN
    assert "rflab figure prop33 --scale quick" in finding.reason and "'share_k0_sgd'" in finding.reason


def test_the_markdown_results_pages_carry_the_reports_verdicts(tmp_path: Path, tiny_plan: None) -> None:
    """``rflab report --markdown DIR`` writes the claims page with the same verdict for every claim as the
    HTML page, read from the same store."""
    from rflab.report.evidence import Evidence

    root = tmp_path / "s"
    reproduce(root)
    build(root, "quick", markdown=tmp_path / "md")
    page = (tmp_path / "md" / "claims-quick.md").read_text()
    ev = Evidence(root, "quick")
    for claim in CLAIMS + CROSS_CHECKS:
        found = claim.finding(ev)
        row = next(line for line in page.splitlines() if line.startswith(f"| {' '.join(claim.text.split())} |"))
        assert f"| **{found.verdict}** |" in row
    assert not (tmp_path / "md" / "claim32-quick.md").exists()  # the tiny plan makes no claim32 figure


def test_the_wall_times_page_sets_each_steps_measured_time_beside_its_estimate(
        tmp_path: Path, tiny_plan: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step's row carries the manifest's measured seconds and peak memory; its estimate is a fresh
    clone's (the figures' making and the checks from the shipped timings, never from this store); the
    totals are compared only when every step has an estimate (here, first, there are no shipped timings
    and no rates; then the shipped timings are this store's; then each seed also costs 2 s)."""
    from rflab.report.evidence import Evidence
    from rflab.report.markdown import wall_times_page
    from rflab.results.costs import Rates

    root = tmp_path / "s"
    monkeypatch.setattr(rp, "MAKING", tmp_path / "making.json")
    records = reproduce(root)["records"]
    page = wall_times_page(Evidence(root, "quick"))
    for step, record in zip(rp.plan("quick"), records, strict=True):
        row = next(line for line in page.splitlines() if line.startswith(f"| {step.label} |"))
        assert row.split(" | ")[1] == f"{record['made']['seconds']:.0f}"
        assert row.endswith(f"| {record['made']['peak_rss_mib'] / 1024:.2f} |")
    assert "0 of the 3 steps have both" in page
    rp.write_making(tmp_path / "making.json", "quick", rp.making(root, "quick"))
    page = wall_times_page(Evidence(root, "quick"))
    assert "| not measured |" in page and "2 of the 3 steps have both" in page
    monkeypatch.setattr(Rates, "seconds", lambda self, experiment, cfgs, n: 2.0 * n)
    page = wall_times_page(Evidence(root, "quick"))
    measured = sum(r["made"]["seconds"] for r in records)
    estimated = 2.0 * 2 + sum(round(r["made"].get("make_seconds", r["made"]["seconds"]), 1) for r in records[1:])
    assert f"The whole estimate is {estimated:.0f} s against {measured:.0f} s measured" in page


def test_the_runs_page_gives_each_run_steps_metrics_over_its_seeds(tmp_path: Path, tiny_plan: None) -> None:
    import numpy as np

    from rflab.report.evidence import Evidence
    from rflab.report.markdown import runs_page

    root = tmp_path / "s"
    missing = runs_page(Evidence(root, "quick"))
    assert "Not in the store: runs dipole-3d hinton-problems" in missing
    reproduce(root)
    page = runs_page(Evidence(root, "quick"))
    (step,) = tiny_steps("quick")
    runs = Evidence(root, "quick").spec_runs(step.runs)
    mse = np.array([r.metrics.test_mse for r in runs])
    dl = np.array([r.metrics.dl_bits.total for r in runs])
    assert f"## rflab run {step.runs.label}" in page
    assert f"| test_mse | {mse.mean():.4g} +- {mse.std(ddof=1):.2g} |" in page
    assert f"| dl_bits.total | {dl.mean():.4g} +- {dl.std(ddof=1):.2g} |" in page


def test_every_figure_gets_a_page_with_its_runs_and_the_images_the_reports_copied(tmp_path: Path,
                                                                                  tiny_plan: None) -> None:
    from rflab.report.figure_pages import figure_page

    root = tmp_path / "s"
    reproduce(root)
    build(root, "quick", markdown=tmp_path / "md")
    folder = tmp_path / "md" / "figures"
    assert (folder / "fig2-quick.png").read_bytes() == (root / "figures" / "fig2-quick.png").read_bytes()
    index = (folder / "index.md").read_text()
    for name, figure in FIGURES.items():
        page = (folder / f"{name}.md").read_text()
        assert f"[{name}]({name}.md)" in index and page.startswith(f"# {name}: {figure.summary}")
        assert all(f"rflab figure {name} --scale {scale}" in page for scale in figure.scales)
        for scale in figure.scales.values():
            assert all(f"`rflab run {spec.label}`" in page for spec in scale.runs.values())
    assert "![fig2 at the quick scale](fig2-quick.png)" in (folder / "fig2.md").read_text()
    assert "No image at this scale in these pages yet" in (folder / "fig1.md").read_text()
    assert figure_page(FIGURES["fig2"], {}) != figure_page(FIGURES["fig2"], {"quick": "fig2-quick.png"})


def test_the_committed_figure_pages_are_what_the_registry_writes() -> None:
    """docs/results/figures holds a page per figure, each as ``figure_page`` writes it today for the
    images beside it: a changed declaration or docstring means running ``rflab report --markdown`` again."""
    from rflab.figures import output
    from rflab.report.figure_pages import figure_page

    folder = Path(__file__).resolve().parents[1] / "docs" / "results" / "figures"
    assert {p.stem for p in folder.glob("*.md")} == {*FIGURES, "index"}
    for name, figure in FIGURES.items():
        images = {s: output(folder, name, s, ".png").name for s in figure.scales
                  if output(folder, name, s, ".png").exists()}
        assert images, f"docs/results/figures has no image of {name}"
        assert (folder / f"{name}.md").read_text() == figure_page(figure, images), f"rewrite the page of {name}"


def test_the_claim32_page_sets_every_point_beside_the_authors_own(tmp_path: Path) -> None:
    """Each row of the Claim 3.2 page carries the point's stored numbers and the authors' published
    ones for the same point (their estimate of the kurtosis, their seeds, mean and share localized)."""
    import json

    import numpy as np

    from rflab.report.evidence import Evidence
    from rflab.report.markdown import claim32_page
    from rflab.sources import lufkin_claim32

    published = lufkin_claim32()["points"]
    points = [{"label": p["label"], "excess_kurtosis": -1.0, "excess_kurtosis_estimated": -0.5, "seeds": 3,
               "sgd_mean": 0.123, "sgd_std": 0.01, "localized_share": 2 / 3, "ode_full": [0.2, 0.4]}
              for p in published]
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "claim32-paper.json").write_text(json.dumps(
        {"note": "a test note", "threshold": 0.1, "sgd_seconds": 7.0, "points": points}))
    page = claim32_page(Evidence(tmp_path, "paper")).splitlines()
    k61 = next(p for p in published if p["label"] == "k=6.1")
    theirs = np.array([v for v in k61["ipr"] if v is not None])
    row = next(line for line in page if line.startswith("| k=6.1 |"))
    assert row == (f"| k=6.1 | -1 | -0.5 | 3 | 0.123 +- 0.010 | 67% | 0.300 | {k61['kurtosis_estimated'] - 3:+.3g} | "
                   f"{len(theirs)} | {theirs.mean():.3f} +- {theirs.std(ddof=1):.3f} | {np.mean(theirs >= 0.1):.0%} |")
    assert len([line for line in page if line.startswith("| g=") or line.startswith("| k=")]) == len(published)
    assert "a test note" in page[2] and page[-1].endswith("7 s.")


def test_the_readme_headline_is_written_between_its_markers_from_the_store(tmp_path: Path, tiny_plan: None) -> None:
    """``rflab report --readme README.md`` writes the verdict counts, Claim 3.2 (or that it was not run) and
    the wall time of every step between the scale's markers, and leaves the rest of the page as it was."""
    from rflab.bench import machine
    from rflab.report.evidence import Evidence
    from rflab.report.markdown import tally

    root = tmp_path / "s"
    summary = reproduce(root)
    page = tmp_path / "README.md"
    page.write_text("# r\n<!-- rflab report quick: start -->\nold\n<!-- rflab report quick: end -->\ntail\n")
    build(root, "quick", tmp_path / "r.html", readme=page)
    text = page.read_text()
    assert text.startswith("# r\n<!-- rflab report quick: start -->\n- **quick scale**") and text.endswith(
        "<!-- rflab report quick: end -->\ntail\n") and "old" not in text
    ev = Evidence(root, "quick")
    assert tally([(c, c.finding(ev)) for c in CLAIMS]) in text
    assert "Claim 3.2: not run at this scale" in text
    made = sum(r["made"]["seconds"] for r in summary["records"])
    assert f"took {made / 60:.1f} min of wall time" in text
    assert f"last run on {machine()})." in text  # the CPU's name: the same plan takes twice as long on another


@pytest.mark.parametrize("command, written", [(["report"], "report.html"), (["figure", "fig2"], "figures")])
@pytest.mark.parametrize("markers", [None, "no markers here\n",
                                     "<!-- rflab {} paper: start -->\n<!-- rflab {} paper: end -->\n"])
def test_a_readme_without_the_scales_markers_is_one_line_exit_2_and_nothing_is_written(
        tmp_path: Path, command: list[str], written: str, markers: str | None, cli: Cli) -> None:
    """``report --readme`` and ``figure NAME --readme`` need the page's markers for the quick scale: a missing
    page, a page without markers, or one with another scale's, is a one-line error and nothing is written."""
    page = tmp_path / "README.md"
    content = None if markers is None else markers.format(*[" ".join(command)] * 2)
    if content is not None:
        page.write_text(content)
    root = tmp_path / "s"
    root.mkdir()
    code, _, err = cli([*command, "--scale", "quick", "--store", str(root), "--readme", str(page)])
    assert code == 2 and err.count("\n") == 1 and "--readme" in err, err
    assert not (root / written).exists()
    assert content is None or page.read_text() == content


def test_the_headline_splits_claim32_by_the_sign_of_the_excess_kurtosis_not_by_family(tmp_path: Path) -> None:
    """Kur(k) at large k is platykurtic, so the headline's two shares pool the points of both families by
    their excess kurtosis (below -1, above 0), weighted by seeds; points in between count in neither."""
    import json

    from rflab.report.evidence import Evidence
    from rflab.report.markdown import headline

    points = [{"label": "g=100", "excess_kurtosis": -2.0, "seeds": 2, "localized_share": 1.0},
              {"label": "k=50", "excess_kurtosis": -1.1, "seeds": 2, "localized_share": 0.5},
              {"label": "k=6.1", "excess_kurtosis": -0.1, "seeds": 2, "localized_share": 1.0},
              {"label": "k=5", "excess_kurtosis": 3.0, "seeds": 4, "localized_share": 0.25}]
    common = {"excess_kurtosis_estimated": 0.0, "sgd_mean": 0.1, "sgd_std": 0.0, "ode_full": [0.1]}
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "claim32-quick.json").write_text(json.dumps(
        {"note": "n", "threshold": 0.1, "sgd_seconds": 1.0, "points": [p | common for p in points]}))
    text = headline(Evidence(tmp_path, "quick"), [])
    assert "75% of the seeds localize (IPR >= 4/N) at the points of excess kurtosis below -1, 25% at the points of " \
           "positive excess kurtosis" in text


def test_the_studies_page_tabulates_each_population_study_from_its_json(tmp_path: Path) -> None:
    """Each study's table is read from its figure's JSON (here, those rflab wrote at 0818c4c); a study not
    made says so."""
    import json

    from rflab.report.evidence import Evidence
    from rflab.report.markdown import studies_page

    quick = json.loads((Path(__file__).parent / "data" / "quick-figures-0818c4c.json").read_text())
    folder = tmp_path / "figures"
    folder.mkdir()
    assert "Not made at this scale" in studies_page(Evidence(tmp_path, "quick"))
    for name in ("mdl-dimension", "code-topology", "code-cost"):
        (folder / f"{name}-quick.json").write_text(json.dumps(quick[name]))
    page = studies_page(Evidence(tmp_path, "quick"))
    assert page.count("Not made") == 1 and "Not made at this scale: model-cost-quick.json" in page  # newer
    for name, c in quick["code-topology"].items():
        ratios = c["longest_over_second"]
        assert f"| {name} | {c['one_loop_seeds']} of {c['seeds']} | {min(ratios):.2f}-{max(ratios):.2f} |" in page
    row = quick["mdl-dimension"][0]
    assert f"| {row['latents']} latents: TwoNN | " in page and f"{row['twonn']['mean']:.2f}" in page
    for name, c in quick["code-cost"].items():
        assert f"| {name}, read whole | {c['test_mse']:.4f} | {c['full']['words']:,.0f} |" in page


def test_a_figure_remade_from_stored_runs_keeps_the_time_and_memory_its_runs_took_when_they_were_trained() -> None:
    """A figure made again only because its code changed (its runs all from the store) is measured as the
    runs' earlier training plus this making, not the making alone, and keeps the peak memory of that
    training; a step that trained, a run step and a first making add nothing."""
    made = {"made": {"seconds": 900.0, "make_seconds": 100.0, "peak_rss_mib": 2900.0}}
    figure, runs = rp.FigureStep("claim32"), tiny_steps("quick")[0]
    assert rp.reused_runs(figure, made, trained=0) == (800.0, 2900.0)
    assert rp.reused_runs(figure, made, trained=3) == (0.0, 0.0)
    assert rp.reused_runs(runs, made, trained=0) == (0.0, 0.0)
    assert rp.reused_runs(figure, {}, trained=0) == (0.0, 0.0)


RATE_KEY = """
import json
from rflab.cli import setup_jax
setup_jax(cache=False)
from rflab.experiments import get_experiment
from rflab.report import reproduce as rp
from rflab.results import costs
step = rp.plan("quick")[0]
experiment, cfgs = get_experiment(step.runs.experiment), [step.runs.config()]
print(json.dumps({"key": costs.rate_key(experiment, cfgs), "family": costs.family(experiment, cfgs),
                  "label": step.label}))
"""


def test_report_finds_the_rates_a_dry_run_measured(tmp_path: Path) -> None:
    """``rflab report`` runs on the devices a dry run measures with (one per core), which key the rates,
    so its wall-times page prices the runs from them (in fresh processes, as a user runs both)."""
    import sys
    from dataclasses import asdict

    from rflab.results.costs import Rate, costs_path
    from rflab.version import __version__

    found = json.loads(subprocess.run([sys.executable, "-c", RATE_KEY], check=True, capture_output=True,
                                      text=True).stdout)
    root = tmp_path / "s"
    root.mkdir()
    rate = asdict(Rate(start=1.0, per_length=0.0, per_seed=2.0, wave=1, size=1, probe_seconds=0.0))
    costs_path(root).write_text(json.dumps({"rflab": __version__, "rates": {found["key"]: {
        "family": found["family"], "label": found["label"], "rate": rate, "from": None}}}))
    subprocess.run([sys.executable, "-m", "rflab", "report", "--scale", "quick", "--store", str(root),
                    "--markdown", str(tmp_path / "md")], check=True, capture_output=True)
    page = (tmp_path / "md" / "wall-times-quick.md").read_text()
    row = next(line for line in page.splitlines() if line.startswith(f"| {found['label']} |"))
    assert row.split(" | ")[2] == "5"  # one call's start, then 2 s for each of the two seeds


def test_a_figure_is_made_again_when_a_plotting_module_it_draws_with_changes(monkeypatch) -> None:
    """The key follows the figure's module and the ``rflab.plots`` modules it uses, and only those."""
    import inspect

    before = {name: rp.figure_key(name, "quick") for name in ("phase-diagram", "objects-layout")}
    source = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda obj: source(obj) + (
        "\n# changed" if getattr(obj, "__name__", "") == "rflab.plots.theory" else ""))
    assert rp.figure_key("phase-diagram", "quick") != before["phase-diagram"]
    assert rp.figure_key("objects-layout", "quick") == before["objects-layout"]
