"""Invented data for the demo: a clinic of users and patients, made through the services."""
