"""Procedure day in the pure core: the vocabulary of the procedure record, the level check,
CPT derivation, vital-sign entry checks with their codes, NEWS2 alert thresholds and discharge
readiness.

Every table is data with its source id beside each row (sources in
``spinepath.clinical.sources.procedure`` and ``recovery_scores``). Nothing here reads a clock:
times are arguments.
"""

EDITION = "spinepath procedure day 1"
