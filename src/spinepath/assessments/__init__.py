"""Candidacy decision support for an episode: its consultation facts, the assessments computed
from them by the clinical core (``spinepath.clinical.candidacy``), and the physician's decisions.
"""
