"""Results the sources published, copied unchanged with their provenance, for comparison with ours.

- ``lufkin_claim32.json``: the per-seed final IPRs and estimated kurtosis of the authors' Claim 3.2
  sweep (leonlufkin/Localization; written by ``benchmarks/authors_claim32.py``, which names the
  files and commits).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np


@cache
def lufkin_claim32() -> dict[str, Any]:
    """The authors' Claim 3.2 results: per point (label as in ``rflab figure claim32``), their per-seed
    final IPRs (None where a run is missing) and the kurtosis their figure's x-axis uses."""
    return json.loads(resources.files("rflab.sources").joinpath("lufkin_claim32.json").read_text())


def published_ipr(point: dict[str, Any]) -> np.ndarray:
    """One point's per-seed final IPRs from ``lufkin_claim32``, without its missing runs."""
    return np.asarray([v for v in point["ipr"] if v is not None], float)
