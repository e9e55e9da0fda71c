"""Results: the store of runs (``store``: SQLite index and checksummed run folders), the one
load-or-run (``cache``), queries over the store (``query``) and grids of runs (``sweep``)."""
