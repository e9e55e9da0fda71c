"""The data-movement cost model on traces whose answers are known by hand."""

from __future__ import annotations

import math

import pytest

from rflab.metrics import data_movement as dm


def test_inputs_start_on_the_stack_in_order_and_reads_move_to_the_top() -> None:
    trace = dm.Trace([("a", 1), ("b", 1), ("c", 1)])
    for name in ("b", "b", "c", "a"):
        trace.read(name, 0)
    # b at depth 2, then 1; c at depth 3 (b, a above it); a at depth 3 (c, b above it)
    assert dm.cost(trace) == {"reads": 4, "writes": 0, "words": 4,
                              "lru": pytest.approx(math.sqrt(2) + 1 + 2 * math.sqrt(3))}


def test_a_write_is_free_and_puts_the_number_on_top() -> None:
    trace = dm.Trace([("a", 2)])
    trace.allocate("y", 1)
    trace.write("y", 0)
    trace.read("a", 1)  # below a[0] and y
    trace.read("y", 0)  # below a[1]
    out = dm.cost(trace)
    assert (out["reads"], out["writes"]) == (2, 1)
    assert out["lru"] == pytest.approx(math.sqrt(3) + math.sqrt(2))


def test_layer_reads_every_weight_once_and_the_input_once_per_output() -> None:
    n_in, n_out = 5, 3
    trace = dm.Trace([("v", n_in), ("w", n_in * n_out), ("b", n_out)])
    dm.layer(trace, "v", "w", "b", "y", n_in, n_out)
    out = dm.cost(trace)
    assert out["reads"] == n_out * (2 * n_in + 1) and out["writes"] == n_out
    weights = [a for a, is_read in trace.events if is_read and trace.base["w"] <= a < trace.base["b"]]
    assert sorted(weights) == list(range(trace.base["w"], trace.base["b"]))


def test_skipping_inactive_units_saves_their_readout_rows() -> None:
    full = dm.cost(dm.activity_decoder(225, 64))
    sparse = dm.cost(dm.activity_decoder(225, 64, active=range(30)))
    assert full["reads"] == 64 * (2 * 225 + 1)
    assert sparse["reads"] == 225 + 64 * (2 * 30 + 1)
    assert sparse["lru"] < 0.25 * full["lru"]


def test_decoder_traces_count_what_their_layers_hold() -> None:
    dense = dm.cost(dm.dense_decoder(3, 64, 64))
    assert dense["reads"] == 64 * (2 * 3 + 1) + 64 * (2 * 64 + 1) + 64 * (2 * 64 + 1)
    rbf = dm.cost(dm.rbf_decoder(225, 3, 64))
    assert rbf["reads"] == 225 * 3 * 2 + 64 * (2 * 225 + 1)
    assert rbf["writes"] == 225 + 64
