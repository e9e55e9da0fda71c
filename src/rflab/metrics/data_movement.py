"""Data movement of a decoder: how many numbers it reads and writes, and how far they travel.

The cost model, stated once:
- A decoder is a sequence of scalar reads and writes on named arrays (its code, its parameters,
  its intermediate layers), in a fixed loop order. Every layer y = act(W^T v + b) runs
  output-stationary: for each output j, read v_i and W_ij for every input i, then b_j, then write
  y_j (the accumulator lives in a register and is free).
- ``words``: the number of reads plus writes.
- ``lru``: a data-movement distance in the spirit of ByteDMD: memory is one LRU stack; reading a
  number at depth d (1 = most recently used) costs sqrt(d) and moves it to the top; writing puts
  it on top for free. The decoder's inputs start on the stack in the order given (code on top,
  then the parameters), as if just passed to it. Numbers used again soon are cheap; a large
  weight matrix read once costs about its size to the power 3/2.
A population decoder may skip the units whose activity is below a threshold (``active``): it
still reads every activity to know which, and only the active units' rows of the readout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


class Trace:
    """A recorded sequence of reads and writes on named arrays; inputs are declared up front."""

    def __init__(self, inputs: Sequence[tuple[str, int]]) -> None:
        self.base: dict[str, int] = {}
        self.size = 0
        self.events: list[tuple[int, bool]] = []  # (address, is_read)
        for name, n in inputs:
            self.allocate(name, n)
        self.n_inputs = self.size

    def allocate(self, name: str, n: int) -> None:
        """Room for an array of n numbers."""
        self.base[name] = self.size
        self.size += n

    def read(self, name: str, i: int) -> None:
        self.events.append((self.base[name] + i, True))

    def write(self, name: str, i: int) -> None:
        self.events.append((self.base[name] + i, False))


def layer(trace: Trace, v: str, w: str, b: str, y: str, n_in: int, n_out: int,
          active: Sequence[int] | None = None) -> None:
    """y = act(W^T v + b), output-stationary, over the ``active`` inputs only (all when None)."""
    trace.allocate(y, n_out)
    rows = range(n_in) if active is None else active
    for j in range(n_out):
        for i in rows:
            trace.read(v, i)
            trace.read(w, i * n_out + j)
        trace.read(b, j)
        trace.write(y, j)


def cost(trace: Trace) -> dict[str, float]:
    """Reads, writes, words and the LRU distance cost of a trace (see the module docstring)."""
    n_events = len(trace.events)
    total_time = trace.n_inputs + n_events
    tree = np.zeros(total_time + 1, dtype=np.int64)  # Fenwick tree over time: 1 where an address was last used

    def add(pos: int, value: int) -> None:
        pos += 1
        while pos <= total_time:
            tree[pos] += value
            pos += pos & -pos

    def prefix(pos: int) -> int:
        pos += 1
        s = 0
        while pos > 0:
            s += tree[pos]
            pos -= pos & -pos
        return int(s)

    last = np.full(trace.size, -1, dtype=np.int64)
    for t, address in enumerate(range(trace.n_inputs - 1, -1, -1)):  # inputs pushed so the first ends on top
        last[address] = t
        add(t, 1)
    lru, reads = 0.0, 0
    for k, (address, is_read) in enumerate(trace.events):
        t = trace.n_inputs + k
        previous = last[address]
        if is_read:
            reads += 1
            depth = prefix(t - 1) - prefix(previous) + 1 if previous >= 0 else prefix(t - 1) + 1
            lru += math.sqrt(depth)
        if previous >= 0:
            add(int(previous), -1)
        last[address] = t
        add(t, 1)
    writes = n_events - reads
    return {"reads": reads, "writes": writes, "words": n_events, "lru": lru}


def rbf_decoder(n_units: int, dim: int, n_pixels: int, active: Sequence[int] | None = None) -> Trace:
    """The RBF population decoder from its code m: every unit's bump exp(-|m - mu_i|^2 / 2 sigma^2)
    (reads m and mu_i, writes the bump), then the linear readout over the ``active`` units."""
    trace = Trace([("code", dim), ("mu", n_units * dim), ("w", n_units * n_pixels), ("b", n_pixels)])
    trace.allocate("bump", n_units)
    for i in range(n_units):
        for k in range(dim):
            trace.read("code", k)
            trace.read("mu", i * dim + k)
        trace.write("bump", i)
    layer(trace, "bump", "w", "b", "image", n_units, n_pixels, active)
    return trace


def activity_decoder(n_units: int, n_pixels: int, active: Sequence[int] | None = None) -> Trace:
    """The MDL code's decoder: its code is the H activities, read out linearly over the ``active``
    units (every activity is read once to find them)."""
    trace = Trace([("code", n_units), ("w", n_units * n_pixels), ("b", n_pixels)])
    if active is not None:
        for i in range(n_units):
            trace.read("code", i)
    layer(trace, "code", "w", "b", "image", n_units, n_pixels, active)
    return trace


def dense_decoder(dim: int, hidden: int, n_pixels: int) -> Trace:
    """The dense autoencoder's decoder: code -> hidden -> hidden -> image."""
    trace = Trace([("code", dim), ("w1", dim * hidden), ("b1", hidden), ("w2", hidden * hidden), ("b2", hidden),
                   ("w3", hidden * n_pixels), ("b3", n_pixels)])
    layer(trace, "code", "w1", "b1", "h1", dim, hidden)
    layer(trace, "h1", "w2", "b2", "h2", hidden, hidden)
    layer(trace, "h2", "w3", "b3", "image", hidden, n_pixels)
    return trace
