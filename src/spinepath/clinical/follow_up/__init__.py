"""Follow-up after a vertebral compression fracture: schedules, responders, liaison indicators.

Pure functions over typed values: no clock (dates and times are arguments), no I/O. Every rule
is a row in a table with its source id beside it.
"""
