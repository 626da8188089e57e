"""Patients of a clinic."""
