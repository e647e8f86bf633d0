"""Sign-on for staff: who may use the system, and how they prove it.

Why a package of its own: the gate trusts the ``Session`` it is handed, so everything that
makes a session trustworthy — Argon2id password hashes, a TOTP second factor, lock-out after
consecutive failures, idle and absolute session limits, and two-person creation of security
officers — lives here, audited like every other governance change.

Modules: ``passwords`` (rules, hashing, TOTP, settings), ``sessions`` (sign on, resume, sign
off), ``staff_admin`` (security officers create, reset and unlock accounts), ``session_file``
(the CLI's token file). Nothing is imported here, so ``idrs.store.schema`` can load the tables
without pulling in the rest.
"""
