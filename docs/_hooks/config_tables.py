"""mkdocs hook: a line ``<!-- config-table: NAME -->`` in a page becomes experiment NAME's settings
table, generated from its config model (``rflab.experiments.tables``)."""

from __future__ import annotations

import re
from typing import Any

MARKER = re.compile(r"^<!-- config-table: ([a-z0-9-]+) -->$", re.M)


def on_page_markdown(markdown: str, **_: Any) -> str:
    from rflab.experiments.tables import config_table

    return MARKER.sub(lambda m: config_table(m.group(1)), markdown)
