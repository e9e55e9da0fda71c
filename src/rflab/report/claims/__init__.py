"""Every claim the report judges, by public source, and our own cross-checks apart.

``CLAIMS`` holds what the seed documents, the papers and the authors' published results say, each
with its source; only these are counted in the report's verdict tally. ``CROSS_CHECKS`` holds our
own checks (exact values we derived, the seed's algorithm replayed, observations about the authors'
code); they are judged the same way and shown in a separate section.
"""

from __future__ import annotations

from rflab.report.claims import cross_checks, hinton_problems, ingrosso_goldt, lufkin, zemel_hinton
from rflab.report.judging import Claim

CLAIMS: tuple[Claim, ...] = (*hinton_problems.CLAIMS, *zemel_hinton.CLAIMS, *lufkin.CLAIMS, *ingrosso_goldt.CLAIMS)
CROSS_CHECKS: tuple[Claim, ...] = cross_checks.CROSS_CHECKS
