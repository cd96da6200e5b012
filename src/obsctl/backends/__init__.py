"""Backends: the only package that imports httpx. Modules here do not import each other,
except the shared HTTP layer in ``http.py``."""
