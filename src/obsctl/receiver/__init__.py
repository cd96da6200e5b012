"""``obsctl receive``: an OTLP/HTTP server (traces and logs) writing into the embedded store.

Only ``obsctl.cli`` imports this package (an import-linter contract); the server never
prints: it reports through callbacks the CLI gives it.
"""
