"""Query and export stored runs: ``--where`` filters on config, metrics and run fields; one flat row
per run (``config.*``, ``metrics.*``) for a table, a pandas DataFrame, a CSV or Parquet file."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rflab.config import ConfigError
from rflab.files import replacing
from rflab.results.store import Store, StoredRun, StoreError

FIELDS = ("run_id", "experiment", "seed", "numerics", "train_seconds", "created", "path")
EXPORTS = (".csv", ".parquet")
WHERE = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(<=|>=|!=|=|<|>)(.*)$")


@dataclass(frozen=True)
class Condition:
    """One ``--where``: a column, an operator and the value as given."""

    key: str
    op: str
    value: str


def flat(value: Any, prefix: str) -> dict[str, Any]:
    """Nested dicts and lists as ``{prefix.a.0: leaf}``; leaves are numbers, strings, booleans or None."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flat(item, f"{prefix}.{key}").items()}
    if isinstance(value, (list, tuple)):
        return {k: v for i, item in enumerate(value) for k, v in flat(item, f"{prefix}.{i}").items()}
    return {prefix: value}


def row(run: StoredRun) -> dict[str, Any]:
    """One stored run as a flat row: its fields, ``config.*`` and ``metrics.*``."""
    fields = {"run_id": run.run_id, "experiment": run.experiment, "seed": run.seed, "numerics": run.numerics,
              "train_seconds": run.train_seconds, "created": run.created, "path": str(run.path)}
    return fields | flat(run.config, "config") | flat(run.metrics, "metrics")


def parse_where(items: Sequence[str]) -> list[Condition]:
    """``["lr=0.1", "metrics.test_mse<0.01"]`` as conditions, or a one-line ConfigError."""
    out = []
    for item in items:
        m = WHERE.match(item)
        if m is None or not m.group(3).strip():
            raise ConfigError(f"--where {item!r}: expected key=value (or !=, <, <=, >, >=), e.g. lr=0.1")
        out.append(Condition(m.group(1), m.group(2), m.group(3).strip()))
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _column(key: str, columns: set[str]) -> str | list[str] | None:
    """The row column a key names: itself, ``config.key``, or a list's ``key.0, key.1, ...``."""
    for name in (key, f"config.{key}"):
        if name in columns:
            return name
        parts = sorted((c for c in columns if c.startswith(f"{name}.") and c[len(name) + 1:].isdigit()),
                       key=lambda c: int(c.rsplit(".", 1)[1]))
        if parts:
            return parts
    return None


def _holds(value: Any, cond: Condition) -> bool:
    """Whether one cell satisfies a condition: numbers compared as numbers, anything else as text."""
    a, b = _number(value), _number(cond.value)
    if a is not None and b is not None:
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
        return {"=": same, "!=": not same, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[cond.op]
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if cond.op in ("=", "!="):
        return (text == cond.value) == (cond.op == "=")
    raise ConfigError(f"--where {cond.key}{cond.op}{cond.value}: {cond.op} needs numbers; {text!r} is not one")


def select(rows: Sequence[dict[str, Any]], conditions: Sequence[Condition]) -> list[dict[str, Any]]:
    """The rows meeting every condition; a key no row has is a one-line ConfigError."""
    columns = {c for r in rows for c in r}
    out = list(rows)
    for cond in conditions:
        column = _column(cond.key, columns)
        if column is None:
            known = sorted({c.split(".")[1] if c.startswith("config.") else c for c in columns
                            if not c.startswith("metrics.")})
            raise ConfigError(f"--where {cond.key}: no stored run has this key; allowed: {', '.join(known)} "
                              "or metrics.NAME")
        if isinstance(column, list):
            out = [r for r in out if all(c in r for c in column)
                   and _holds(",".join(f"{r[c]:g}" if _number(r[c]) is not None else str(r[c]) for c in column),
                              cond)]
        else:
            out = [r for r in out if column in r and _holds(r[column], cond)]
    return out


def stored_rows(store: Store, experiment: str | None = None, conditions: Sequence[Condition] = ()
                ) -> list[dict[str, Any]]:
    """The flat rows of the store's runs (of one experiment if given) that meet every condition; a
    store with run folders but no index is a one-line StoreError naming the repair."""
    if not store.index.exists() and any((store.root / "runs").glob("*")):
        raise StoreError(f"the store {store.root} has run folders but no index; rebuild it with: "
                         f"rflab store rebuild-index --store {store.root}")
    return select([row(r) for r in store.runs(experiment)], conditions)


def frame(rows: Sequence[dict[str, Any]]) -> Any:
    """The rows as a pandas DataFrame: the run's fields first, then ``config.*``, then ``metrics.*``."""
    import pandas as pd

    return pd.DataFrame(list(rows), columns=column_order(rows))


def column_order(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every column of the rows: the run's fields, then the ``config.*`` and the other columns sorted."""
    return list(FIELDS) + sorted({c for r in rows for c in r} - set(FIELDS),
                                 key=lambda c: (not c.startswith("config."), c))


def varying(rows: Sequence[dict[str, Any]], prefix: str = "config.") -> list[str]:
    """The ``prefix`` columns whose value is not the same in every row."""
    columns = list(dict.fromkeys(c for r in rows for c in r if c.startswith(prefix)))
    return [c for c in columns if len({json.dumps(r.get(c)) for r in rows}) > 1]


def check_export(path: Path) -> None:
    """A one-line ConfigError unless the file name ends in .csv or .parquet."""
    if path.suffix.lower() not in EXPORTS:
        raise ConfigError(f"--export {str(path)!r}: the file must end in {' or '.join(EXPORTS)}")


def export(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    """Write the rows to ``path`` (CSV or Parquet by its suffix), atomically; columns are the union."""
    check_export(path)
    names = column_order(rows)
    with replacing(path) as tmp:
        if path.suffix.lower() == ".csv":
            with open(tmp, "w", newline="") as f:
                writer = csv.DictWriter(f, names)
                writer.writeheader()
                writer.writerows(rows)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table(parquet_columns(rows, names)), tmp)
    return path


def parquet_columns(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> dict[str, list[Any]]:
    """Columns for Parquet: a column mixing numbers with text or booleans is written as text."""
    out = {}
    for c in columns:
        cells = [r.get(c) for r in rows]
        kinds = {type(v) for v in cells if v is not None}
        if kinds <= {int, float} or len(kinds) <= 1:
            out[c] = [float(v) if kinds == {int, float} and v is not None else v for v in cells]
        else:
            out[c] = [None if v is None else str(v) for v in cells]
    return out
