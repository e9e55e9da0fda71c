"""Memory a command will need, estimated from its config before anything is allocated, against what
the machine has.

Each experiment gives a ``Footprint`` of one run: the bytes every seed trained together needs (its
data, a step's activations, the optimiser state, the snapshots and losses it keeps) and the bytes
needed once, whatever the number of seeds (measurements and figures, made one seed at a time). Every
run also keeps its record until the command ends (``KEPT_PER_RUN``). ``seeds_per_call`` turns this
into how many seeds train together: all of them when they fit under the limit, fewer (the seeds run
in chunks) when they do not, and a one-line ConfigError with the estimate and ``--memory-limit``
when not even one seed fits. The limit is ``--memory-limit`` when given, else DEFAULT_SHARE of the
memory available now (and of a container's cgroup limit, where there is one).

A call is also kept short: a run is stored when its call returns, so a killed command loses the call
in flight. A footprint's ``work_per_seed`` (the input values a seed's training samples) bounds the
seeds of one call to WORK_PER_CALL values, a few minutes on a 2-core CPU (Claim 3.2's Kur family at the
authors' batch of 50,000: 4 of its 100 seeds per call on two devices), and the seeds are split into
equal calls, each a multiple of the devices that train seeds in parallel.
"""

from __future__ import annotations

import ctypes
import gc
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rflab.config import ConfigError

KiB, MiB, GiB = 2**10, 2**20, 2**30
FLOAT = 4  # float32, what JAX computes in
DOUBLE = 8  # float64, what NumPy and scikit-learn compute in
KEPT_PER_RUN = 64 * KiB  # a run's record, metrics and id held until the command ends
WORK_PER_CALL = 10**11  # input values sampled by one training call (about 4 ns each for Kur, 2 cores)
PROCESS = 512 * MiB  # a Python process with JAX loaded (a Dask worker)
DEFAULT_SHARE = 0.8
LIMIT_FLAG = "--memory-limit"
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:i?B)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": KiB, "M": MiB, "G": GiB, "T": 2**40}

_limit: int | None = None
_source = f"set by {LIMIT_FLAG}"


@dataclass(frozen=True)
class Footprint:
    """Bytes of one run: ``per_seed`` for every seed trained together, ``once`` whatever their number;
    ``drivers`` names the settings that dominate, for the message; ``work_per_seed``: the input values
    a seed's training samples (0: too few to bound a call by)."""

    per_seed: int
    once: int = 0
    drivers: str = ""
    work_per_seed: int = 0


def parse_size(text: str) -> int:
    """``8G``, ``512M``, ``1.5TiB`` or a number of bytes, as bytes; a one-line ConfigError otherwise."""
    m = _SIZE.fullmatch(text)
    value = float(m.group(1)) * _UNITS[m.group(2).upper()] if m else 0.0
    if not m or value < 1:
        raise ConfigError(f"{LIMIT_FLAG} {text!r}: expected a size such as 8G, 512M or 1.5T")
    return int(value)


def size(n: float) -> str:
    """Bytes for a person: ``1.2 GiB``, ``3.4 TiB``, ``512 MiB``."""
    for unit, scale in (("PiB", 2**50), ("TiB", 2**40), ("GiB", GiB), ("MiB", MiB)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{max(n, 0) / KiB:.0f} KiB"


def _cgroup_room() -> int | None:
    """What a container's memory limit leaves (cgroup v2, then v1), or None outside one."""
    for limit, usage in (("memory.max", "memory.current"), ("memory/memory.limit_in_bytes",
                                                            "memory/memory.usage_in_bytes")):
        try:
            text = Path("/sys/fs/cgroup", limit).read_text().strip()
            used = int(Path("/sys/fs/cgroup", usage).read_text())
        except (OSError, ValueError):
            continue
        if text.isdigit() and int(text) < 2**60:
            return max(int(text) - used, 0)
    return None


def available_memory() -> int:
    """Memory this process can still take without swapping: the system's available memory, and no
    more than a container's limit leaves."""
    import psutil

    free = psutil.virtual_memory().available
    room = _cgroup_room()
    return free if room is None else min(free, room)


def current_limit() -> tuple[int, str]:
    """The limit a run is planned against, and where it comes from (for the message)."""
    if _limit is not None:
        return _limit, _source
    free = available_memory()
    return int(DEFAULT_SHARE * free), f"{DEFAULT_SHARE:.0%} of the {size(free)} available now"


@contextmanager
def memory_limit(limit: int | None, source: str = f"set by {LIMIT_FLAG}") -> Iterator[None]:
    """Plan runs inside the block against ``limit`` bytes (None: the default share of what is free);
    ``source`` says where the limit comes from, for the message."""
    global _limit, _source
    old = _limit, _source
    _limit, _source = limit, source
    try:
        yield
    finally:
        _limit, _source = old


def _refuse(label: str, need: int, detail: str, limit: int, source: str,
            advice: str = "lower the sizes or the number of seeds") -> ConfigError:
    """The one-line refusal: the estimate, what drives it, the limit and the flag that moves it."""
    import psutil

    total = psutil.virtual_memory().total
    way_out = (f"or raise the limit with {LIMIT_FLAG} SIZE (e.g. {LIMIT_FLAG} {math.ceil(need * 1.25 / GiB)}G)"
               if need < total else f"or override the check with {LIMIT_FLAG} SIZE (this machine has "
                                    f"{size(total)} in all)")
    return ConfigError(f"{label} needs about {size(need)} of memory ({detail}), more than the limit of "
                       f"{size(limit)} ({source}); {advice}, {way_out}")


def seed_count(n: int) -> str:
    """``1 seed``, ``5 seeds``."""
    return f"{n} seed" if n == 1 else f"{n} seeds"


def seeds_per_call(label: str, footprint: Footprint, n_seeds: int, kept_runs: int | None = None,
                   wave: int = 1) -> int:
    """How many of ``n_seeds`` seeds to train together so that the run fits under the limit and a call
    samples at most WORK_PER_CALL values (all of them when both allow), as even a split as that allows
    in multiples of ``wave`` (the seeds that train in parallel, one per device: a call of 5 seeds on 2
    devices takes as long as one of 6); ``kept_runs`` (default ``n_seeds``) records are held until the
    command ends. A ConfigError naming the estimate and ``--memory-limit`` when not even one seed fits."""
    limit, source = current_limit()
    kept = KEPT_PER_RUN * (n_seeds if kept_runs is None else kept_runs)
    one = kept + footprint.once + footprint.per_seed
    if one > limit:
        runs = n_seeds if kept_runs is None else kept_runs
        detail = (f"one seed at a time: {size(footprint.per_seed + footprint.once)}"
                  + (f" for {footprint.drivers}" if footprint.drivers else "")
                  + f"; the records of {runs} run{'s' if runs != 1 else ''}: {size(kept)}")
        raise _refuse(label, one, detail, limit, source)
    fits = (limit - kept - footprint.once) // max(footprint.per_seed, 1)
    short = WORK_PER_CALL // footprint.work_per_seed if footprint.work_per_seed else n_seeds
    most = max(1, min(n_seeds, fits, short))
    if n_seeds <= most:
        return most
    most -= most % wave if most >= wave else 0
    even = math.ceil(n_seeds / math.ceil(n_seeds / most))
    return min(most, math.ceil(even / wave) * wave)


def check_total(label: str, need: int, detail: str, advice: str = "lower the sizes or the number of seeds") -> None:
    """A one-line ConfigError when ``need`` bytes are past the limit (work that cannot be split)."""
    limit, source = current_limit()
    if need > limit:
        raise _refuse(label, need, detail, limit, source, advice)


def check_records(label: str, n_runs: int, advice: str = "ask for fewer seeds") -> None:
    """Refuse, before one run id is built, a request whose runs' records alone would not fit."""
    check_total(label, KEPT_PER_RUN * n_runs, f"the records of {n_runs} runs", advice)


def chunks(seeds: Sequence[int], per_call: int) -> Iterator[list[int]]:
    """``seeds`` in consecutive chunks of at most ``per_call``."""
    for start in range(0, len(seeds), per_call):
        yield list(seeds[start:start + per_call])


def release_freed_memory() -> bool:
    """Give the heap's freed pages back to the operating system (glibc's ``malloc_trim``; elsewhere
    nothing), and say whether it could. glibc keeps what a step frees, spread over the arenas of the
    threads that freed it (XLA's, the store's writer), where later steps of a long command may not
    reuse it (360 MiB after the quick reproduce's ``fig3-theory``). Called after every step of a
    reproduce: the quick scale's middle steps peaked up to 230 MiB lower, its last within run-to-run
    variation (2050 and 2077 MiB against 2110, 2-core AMD EPYC)."""
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return False
    trim(0)
    return True
