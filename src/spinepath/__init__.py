"""spinepath: a care pathway for osteoporotic vertebral compression fracture."""

__version__ = "0.1.0"
