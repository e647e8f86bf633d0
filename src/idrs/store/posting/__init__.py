"""Set-based SQL of the posting cycle and its readers (see :mod:`idrs.posting`).

* :mod:`.validate` unpostable checks, :mod:`.post` posting, :mod:`.settle` the recompute of
  balances, freezes, statuses and statutes; :mod:`.entity` entity changes (per row);
* :mod:`.readers` ``unpostables_for`` (UPTIN) and a cycle's totals;
* :mod:`.feed` synthetic pending input for demos and the benchmark.
"""
