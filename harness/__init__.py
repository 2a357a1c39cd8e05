"""Real components the test suite and the benchmarks both start: PostgreSQL 15 servers of their own
(``harness.pg``) and helpdesk replicas behind nginx with signed tokens (``harness.cluster``).

Kept apart from ``tests/`` and ``bench/`` so that neither imports from the other.
"""
