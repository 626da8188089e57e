"""Procedure day before recovery: the planned procedure, the time-out with its level check, and
the procedure record with its derived codes."""
