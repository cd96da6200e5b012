"""The embedded telemetry store: spans and log records in one SQLite file.

``obsctl receive`` writes it (``StoreWriter``); the ``local`` trace backend, ``doctor`` and
``correlate`` read it (``StoreReader``), several readers at once while the receiver writes.
Only ``obsctl.receiver``, ``obsctl.backends`` and ``obsctl.workflows`` import this package
(an import-linter contract).
"""

from obsctl.store.sqlite import (
    SCHEMA_VERSION,
    StoreReader,
    StoreStats,
    StoreWriter,
    store_file,
)

__all__ = ["SCHEMA_VERSION", "StoreReader", "StoreStats", "StoreWriter", "store_file"]
