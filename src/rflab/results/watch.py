"""What a load-or-run tells as it works: a ``Watch`` (this one tells nobody; the command line's draws
progress bars on stderr). Kept apart from ``results.cache`` so the command line can subclass it
without importing the experiments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rflab.results.store import StoredRun


class Watch:
    """What a load-or-run tells as it works; this one tells nobody (the command line's draws bars)."""

    def planned(self, missing: Sequence[int]) -> None:
        """The seeds that will be computed (none when the store holds every run)."""

    def training(self, seeds: Sequence[int]) -> None:
        """One call of the experiment starts, training these seeds together."""

    def step(self, done: int, total: int) -> None:
        """Training steps done, of the total of the current call."""

    def stored(self, run: StoredRun) -> None:
        """A run has been stored."""


Watcher = Callable[[str], Watch]  # a Watch for the work a label names (a figure's runs, a sweep point)


class Noting(Watch):
    """A Watch that passes everything on to ``inner`` and calls ``note`` after each stored run."""

    def __init__(self, inner: Watch, note: Callable[[], None]) -> None:
        self.inner, self.note = inner, note

    def planned(self, missing: Sequence[int]) -> None:
        self.inner.planned(missing)

    def training(self, seeds: Sequence[int]) -> None:
        self.inner.training(seeds)

    def step(self, done: int, total: int) -> None:
        self.inner.step(done, total)

    def stored(self, run: StoredRun) -> None:
        self.inner.stored(run)
        self.note()


def noting(watcher: Watcher, note: Callable[[], None]) -> Watcher:
    """``watcher`` with ``note`` called after every run its Watches see stored."""
    return lambda label: Noting(watcher(label), note)


def quiet(label: str) -> Watch:
    """A Watch that tells nobody, whatever the label."""
    return Watch()
