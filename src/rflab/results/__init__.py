"""Results: the one load-or-run (``cache``), queries over the store (``query``) and grids of runs
(``sweep``); the store itself is ``rflab.store``."""
