"""Append-only audit of every read and write of patient data."""
