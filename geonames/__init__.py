"""geonames: geographic names and administrative boundaries.

Layers, with imports pointing inward only:

* models (``geonames.divisions.model``, ``geonames.findings``, ``geonames.divisions.codes``): plain data, no I/O;
* engines (``geonames.crs``, ``geonames.divisions.index`` and the checks): compute on arrays of geometries;
* adapters (``geonames.vector``, register stores): files and databases;
* interfaces (``geonames.cli``, ``geonames.document``): command line and reports.
"""

__version__ = "0.1.0"
