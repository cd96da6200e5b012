"""Test IDs for the parser tests that can be selected on the command line.

pytest escapes non-ASCII and control characters in node IDs and then cannot select such a test
by its ID; mutmut (scripts/mutate.py) runs each mutant's tests by ID, so a PromQL input as
the ID of a parametrized case is spelled in printable ASCII here.
"""

from __future__ import annotations

import pytest


def safe_id(text: str) -> str:
    """At most 40 characters of ``text``, printable ASCII other than a backslash, no "::"."""
    text = text.replace("::", ": :")
    text = text if len(text) <= 40 else text[:40] + "..."
    return "".join(ch if " " <= ch <= "~" and ch != "\\" else "?" for ch in text)


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    return safe_id(val) if isinstance(val, str) else None
