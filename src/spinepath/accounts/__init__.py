"""Clinics, users, roles, password and token authentication."""
