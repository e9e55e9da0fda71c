"""Progress on stderr (Rich): the command line's bars, and the Watch it gives the load-or-run. Only the
command line draws; everything below it reports to a Watch."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from rflab.files import check_interrupt
from rflab.results.store import StoredRun
from rflab.results.watch import Watch

err = Console(stderr=True)


def progress_bar(console: Console | None = None) -> Progress:
    """A Rich progress bar on stderr: done of total, time elapsed and time left."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("eta"), TimeRemainingColumn(), console=console or err, transient=False)


def plan_bar(timed: bool) -> Progress:
    """The bar of a whole plan on stderr: with ``timed`` its steps weigh their estimated seconds, so it
    shows the share of the time done and, from the pace over the whole run, the time left; otherwise
    it counts steps."""
    done = TaskProgressColumn() if timed else MofNCompleteColumn()
    return Progress(TextColumn("{task.description}"), BarColumn(), done, TimeElapsedColumn(), TextColumn("eta"),
                    TimeRemainingColumn(), console=err, transient=False, speed_estimate_period=24 * 3600)


class ConsoleWatch(Watch):
    """A bar on stderr for the training steps of one load-or-run, started when training starts."""

    def __init__(self, label: str) -> None:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err)
        self.task = self.bar.add_task(label, total=None)
        self.started = False

    def step(self, done: int, total: int) -> None:
        if not self.started:
            self.bar.start()
            self.started = True
        self.bar.update(self.task, completed=done, total=total)
        if done >= total:
            self.bar.stop()
        check_interrupt()


class RunWatch(Watch):
    """``rflab run``'s two bars, started only when there is something to compute (``setup`` runs first,
    before JAX computes anything): the training of each call (its seeds in the label) and the runs
    measured, drawn and stored; it counts the runs stored, for the message of an interrupted command."""

    def __init__(self, experiment: str, setup: Callable[[], None]) -> None:
        self.experiment, self.setup = experiment, setup
        self.bar = progress_bar()
        self.train = self.write = TaskID(-1)  # the bars' tasks, added when there is something to compute
        self.missing: list[int] = []
        self.done = 0

    def planned(self, missing: Sequence[int]) -> None:
        self.missing = list(missing)
        if missing:
            self.setup()
            self.train = self.bar.add_task(f"{self.experiment} seeds {span(missing)}", total=None)
            self.write = self.bar.add_task("measure, plot, store", total=len(missing))
            self.bar.start()

    def training(self, seeds: Sequence[int]) -> None:
        self.bar.update(self.train, description=f"{self.experiment} seeds {span(seeds)}", completed=0, total=None)
        check_interrupt()

    def step(self, done: int, total: int) -> None:
        self.bar.update(self.train, completed=done, total=total)
        check_interrupt()

    def stored(self, run: StoredRun) -> None:
        self.done += 1
        self.bar.advance(self.write)
        check_interrupt()

    def close(self) -> None:
        """Stop the bars, if they were started (stopping bars never started prints an empty line)."""
        if self.missing:
            self.bar.stop()


def span(seeds: Sequence[int]) -> str:
    """``3`` or ``0-4``."""
    return str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}"
