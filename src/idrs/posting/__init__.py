"""Posting cycles: pending input becomes posted transactions, set-based, idempotent, crash-safe.

A cycle is a pipeline of uniform stages (:mod:`idrs.posting.pipeline`), each
``(batch, context) -> (batch, errors)`` with rejected inputs returned as data (unpostables,
:mod:`idrs.posting.codes`). :mod:`idrs.posting.runner` runs the stages as batches of the
:class:`idrs.jobs.JobRunner` (the batch form of the one door), as the posting service
principal. The SQL lives in :mod:`idrs.store.posting`; the domain core
(:func:`idrs.domain.account.derive_state`) stays the canonical statement of every rule.
"""
