"""IDRS: an open Integrated Data Retrieval System.

Need-to-know access at the moment of access, a tamper-evident audit log, and account work
(transaction codes, balances, interest and penalties, posting cycles) done right.
Only synthetic data is ever used.
"""

__version__ = "0.1.0"
