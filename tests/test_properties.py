"""Property tests: generated values for every experiment's keys, presets, seeds and memory limits go
through the command line's parsing and validation and end either accepted (within the memory limit)
or in one line naming the problem; never in another exception. A few examples go through the whole
command (with runs that do not train): exit 0 or 2, no traceback, nothing written on 2."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import sys
import tempfile
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rflab import experiments, resources
from rflab.config import ConfigError, parse_overrides
from rflab.data import registry as models
from rflab.experiments.base import SeedResult, parse_seeds
from rflab.experiments.receptive_fields import DATA_KEYS, FieldExperiment

LIMIT = 4 * resources.GiB
NAMES = list(experiments.EXPERIMENTS)

integers = st.one_of(st.integers(-3, 40), st.integers(-(2**40), 2**40), st.sampled_from([0, 1, 2, 7, 8, 2**31 - 1]))
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-5, 5),
                   st.sampled_from([0.0, 1e-300, 1e300]))
words = st.one_of(st.text(max_size=6), st.sampled_from(["a\nb", "1\r2", "\x00", "\u00b2", "e\u0301"]))
number_text = st.one_of(integers.map(str), floats.map(repr), st.sampled_from(["inf", "-inf", "nan", "1e999", ""]),
                        words)


def pair(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value of a pair key as typed: "a,b", sometimes with one or three parts."""
    return st.lists(values, min_size=1, max_size=3).map(",".join)


def value_text(name: str, annotation: Any) -> st.SearchStrategy[str]:
    """Text for one key, as ``--set key=TEXT`` gives it: mostly of the key's kind, sometimes anything."""
    if name in ("xi", "J"):
        return pair(number_text)
    if name == "data":
        return st.one_of(st.sampled_from(models.names()), words)
    if name == "radial":
        return st.one_of(st.sampled_from(["shell", "custom", "t"]), words)
    choices = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()
    if choices:
        return st.one_of(st.sampled_from([str(c) for c in choices]), words)
    if annotation is bool:
        return st.one_of(st.sampled_from(["true", "false", "1", "0", "yes"]), words)
    if annotation is int or name in ("N", "dims"):
        return st.one_of(integers.map(str), number_text)
    return number_text


def key_values(name: str) -> st.SearchStrategy[dict[str, str]]:
    """Up to four overrides of the experiment's keys (now and then an unknown one)."""
    experiment = experiments.EXPERIMENTS[name]
    fields = {k: f.annotation for k, f in experiment.config.model_fields.items()}
    if isinstance(experiment, FieldExperiment):
        fields |= dict.fromkeys(DATA_KEYS, Any)
    one = st.sampled_from(sorted(fields)).flatmap(lambda k: st.tuples(st.just(k), value_text(k, fields[k])))
    unknown = st.tuples(st.sampled_from(["colour", "lr ", "N.x"]), words)
    return st.lists(st.one_of(one, one, one, unknown), max_size=4).map(dict)


seed_text = st.one_of(st.integers(-2, 2**33).map(str), words)
seed_args = st.one_of(st.just({}), seed_text.map(lambda s: {"seed": s}),
                      st.tuples(seed_text, seed_text).map(lambda ab: {"seeds": f"{ab[0]}-{ab[1]}"}))


def request(name: str) -> st.SearchStrategy[tuple[str, str | None, dict[str, str], dict[str, str]]]:
    """An experiment, a preset (or none, or an unknown one), overrides and seed options."""
    presets = [None, *experiments.EXPERIMENTS[name].presets, "best"]
    return st.tuples(st.just(name), st.sampled_from(presets), key_values(name), seed_args)


def validate(name: str, preset: str | None, overrides: dict[str, str], seeds: dict[str, str]) -> int:
    """What ``rflab run`` checks before it touches the store: seeds, config, memory; the seeds per call."""
    seed_list = parse_seeds(seeds.get("seed"), seeds.get("seeds"))
    experiment = experiments.EXPERIMENTS[name]
    cfg = experiment.configure(preset, parse_overrides(f"{k}={v}" for k, v in overrides.items()))
    with resources.memory_limit(LIMIT):
        return resources.seeds_per_call(name, experiment.footprint(cfg), len(seed_list))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_generated_request_is_accepted_or_refused_in_one_line(name: str, data: st.DataObject) -> None:
    name, preset, overrides, seeds = data.draw(request(name))
    try:
        per_call = validate(name, preset, overrides, seeds)
    except ConfigError as e:
        message = str(e)
        assert message and "\n" not in message and "\r" not in message, message
        return
    assert per_call >= 1


def fake_run(cfg: Any, seeds: list[int], progress: Any = None) -> list[SeedResult]:
    """Tiny results for the seeds asked, without training."""
    return [SeedResult(s, {"m": float(s)}, {"w": np.zeros(3)}, 0.0, lambda folder: None) for s in seeds]


@pytest.fixture(scope="module")
def no_training() -> typing.Iterator[None]:
    """Every experiment with a run that does not train (for the whole command below)."""
    saved = dict(experiments.EXPERIMENTS)
    for name, experiment in saved.items():
        experiments.EXPERIMENTS[name] = dataclasses.replace(experiment, run=fake_run)
    yield
    experiments.EXPERIMENTS.clear()
    experiments.EXPERIMENTS.update(saved)


def command_line(name: str, preset: str | None, overrides: dict[str, str], seeds: dict[str, str]) -> list[str]:
    args = ["run", name, *(["--preset", preset] if preset else [])]
    args += [a for k, v in overrides.items() for a in ("--set", f"{k}={v}")]
    return args + [a for k, v in seeds.items() for a in (f"--{k}", v)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(req=st.sampled_from(NAMES).flatmap(request), limit=st.sampled_from([None, "4G", "1M", "x"]))
def test_the_whole_command_exits_0_or_2_in_one_line_and_writes_nothing_on_2(
        no_training: None, req: tuple, limit: str | None) -> None:
    from rflab.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        argv = ["rflab", *command_line(*req), "--store", str(store), *(["--memory-limit", limit] if limit else [])]
        out, err = io.StringIO(), io.StringIO()
        old = sys.argv
        sys.argv = argv
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as stop:
                main()
        finally:
            sys.argv = old
        code = int(stop.value.code or 0)
        assert code in (0, 2), err.getvalue()
        assert "Traceback" not in err.getvalue()
        if code == 2:
            assert err.getvalue().count("\n") == 1 and err.getvalue().startswith("error: ")
            assert not store.exists()
