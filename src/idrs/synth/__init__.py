"""Synthetic population generator: deterministic, chunked, resumable, and flagged synthetic.

Nothing here is real: identifiers come from documented synthetic ranges, names and addresses
from public name-frequency lists combined at random, amounts from documented distributions
(``docs/SYNTHETIC.md``). :func:`idrs.synth.generator.run` writes a population through
:mod:`idrs.store.population`.
"""
