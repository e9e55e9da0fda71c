"""Progress bars on stderr (Rich): the CLI's bar, and a callback bar for training behind a figure or sweep."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

err = Console(stderr=True)


def progress_bar(console: Console | None = None) -> Progress:
    """A Rich progress bar on stderr: done of total, time elapsed and time left."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("eta"), TimeRemainingColumn(), console=console or err, transient=False)


class ConsoleProgress:
    """A ``progress(done, total)`` callback that draws a bar on stderr, started on the first call."""

    def __init__(self, label: str) -> None:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err)
        self.task = self.bar.add_task(label, total=None)
        self.started = False

    def __call__(self, done: int, total: int) -> None:
        if not self.started:
            self.bar.start()
            self.started = True
        self.bar.update(self.task, completed=done, total=total)
        if done >= total:
            self.bar.stop()
