"""Importing a city's existing register of pacts (docs/import.md)."""
