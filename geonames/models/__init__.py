"""Plain data models: no I/O, no heavy computation."""

from geonames.models.division import Division, DivisionTable

__all__ = ["Division", "DivisionTable"]
