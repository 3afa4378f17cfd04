"""geonames: geographic names and administrative boundaries.

Layers, with imports pointing inward only:

* models (``geonames.models``, ``geonames.findings``, ``geonames.codes``): plain data, no I/O;
* engines (``geonames.crs``, ``geonames.index`` and the checks): compute on arrays of geometries;
* adapters (``geonames.io``, register stores): files and databases;
* interfaces (``geonames.cli``, ``geonames.report``): command line and reports.
"""

__version__ = "0.1.0"
