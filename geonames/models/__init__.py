"""Plain data models: no I/O, no heavy computation."""

from geonames.models.division import Division, DivisionTable
from geonames.models.placename import (
    Approval,
    NameStatus,
    NameVariant,
    PlaceName,
    StatusChange,
    VariantKind,
)

__all__ = ["Approval", "Division", "DivisionTable", "NameStatus", "NameVariant", "PlaceName",
           "StatusChange", "VariantKind"]
