"""The clinical core: medicine and nothing else.

Pure functions over typed values. No I/O, no web framework, no database. Every threshold lives
in a table next to the id of its source (see ``spinepath.clinical.sources``), and every result
carries its inputs, its derived values, the edition it was computed by and its source ids.
"""
