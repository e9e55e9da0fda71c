"""Where finished runs are stored: one thread, or a process per core for the commands that make runs.

Storing a run draws its figures and GIF, single-threaded matplotlib that takes seconds a run, so the
runs of one call stored one after another on a thread wait on each other's drawing while the other
cores idle. ``use_processes`` (``rflab run``, ``sweep``, ``figure`` and ``reproduce`` call it before they
compute) forks a pool of storing processes from the command itself, one per core: the runs of a call draw side
by side, and a call's drawing no longer shares the interpreter that trains the next. The fork is
instant (the children share the command's imports) and is made only while JAX has not started its
runtime in this process: a fork of its threads could deadlock a child that computes, so afterwards
runs stay on the thread. The children ignore Ctrl-C, so a run they are storing is finished and the
command decides what to do with the rest. Every process writes through the store's own atomic
``put``, as Dask workers do (``results.store``), so the stored runs are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import psutil

THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rflab-store")
"""The one thread that stores runs where no processes are: one for the process, since matplotlib keeps
its fonts per thread and a thread per call would keep a set for each."""

_pool: ProcessPoolExecutor | None = None
_forked: list[int] = []


def use_processes(n: int | None = None) -> bool:
    """Fork ``n`` storing processes (default: one per core), which inherit every module imported here
    (the command line's plugins, whose experiments draw in them, included), and store runs on them from
    now on. Nothing changes for n = 1, in a daemonic process (a Dask worker's may not have children),
    once JAX runs here, or when they are already there. Whether runs are stored on processes."""
    global _pool
    n = max(1, n or os.cpu_count() or 1)
    if _pool is None and n > 1 and not multiprocessing.current_process().daemon and not _jax_started():
        others = {child.pid for child in psutil.Process().children()}
        _pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_interrupts)
        _pool.submit(os.getpid)  # a pool that forks launches all its processes at the first task
        _forked.extend(child.pid for child in psutil.Process().children() if child.pid not in others)
    return _pool is not None


def peak_bytes() -> int:
    """The storing processes' resident peaks, summed; added to the command's own, an upper bound on what
    they held together at any moment (pages they still share with it after the fork count twice). Zero
    without processes, or where the system does not report a process's peak (Linux does)."""
    return sum(map(_resident_peak, _forked))


def _resident_peak(pid: int) -> int:
    """A process's resident peak (``VmHWM`` of ``/proc/PID/status``) in bytes; 0 where there is none (the
    process ended, not Linux)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            line = next((x for x in f if x.startswith("VmHWM:")), "")
    except OSError:
        return 0
    return int(line.split()[1]) * 1024 if line else 0


def executor() -> Executor:
    """The storing processes where ``use_processes`` forked them, else the storing thread."""
    return THREAD if _pool is None else _pool


def _jax_started() -> bool:
    """Whether JAX has started its runtime (and its threads) in this process; True where it cannot tell."""
    try:
        from jax._src import xla_bridge

        return xla_bridge.backends_are_initialized()
    except (ImportError, AttributeError):
        return True


def _ignore_interrupts() -> None:
    """Ctrl-C reaches every process of the terminal's group: a storing process finishes the run it stores
    and leaves the decision to the command."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
