"""Calculators: the clinical instruments served to people and programs.

The instruments themselves live in the pure core (``spinepath.clinical.instruments``); this
package lists them with their sources, runs one by name, and adapts that to the JSON API, the
command line and the calculator web pages. No patient record is read or written.
"""
