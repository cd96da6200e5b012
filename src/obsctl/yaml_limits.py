"""Limits shared by every YAML reader in obsctl: nesting depth.

PyYAML composes nodes recursively, so a document nested 100,000 levels deep
(``a: [[[[…]]]]``) ends in ``RecursionError``. ``SafeLoader`` here counts the depth and
raises an ordinary ``yaml.MarkedYAMLError`` (with the position) past ``MAX_DEPTH``, which
every reader already reports as invalid YAML. Readers that compose with libyaml's C loaders
may call ``check_depth`` first for the same limit (libyaml's scanner refuses 1,000 levels on
its own, flow or block, with a ``ScannerError`` those readers already report). The
collector-config reader composes from the event stream itself and uses the same
``MAX_DEPTH``.

Importing this module imports ``yaml``: import it where ``yaml`` itself is imported.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

MAX_DEPTH = 200
"""Deepest nesting accepted (real configs, rule files and contexts nest fewer than 20)."""


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses nesting deeper than ``MAX_DEPTH``."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._obsctl_depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._obsctl_depth += 1
        try:
            if self._obsctl_depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._obsctl_depth -= 1


def check_depth(text: str) -> None:
    """Raise past ``MAX_DEPTH`` levels, for readers that compose with libyaml's C loaders.

    A C loader's composer cannot be given a counter; the event stream can (libyaml parses
    iteratively), at ~20% of the composing time. (libyaml's scanner also stops at 1,000 flow
    levels on its own, with a ``ScannerError``.) Call it before ``yaml.compose_all(text,
    Loader=yaml.CBaseLoader)`` and friends.

    Raises:
        yaml.MarkedYAMLError: nesting deeper than ``MAX_DEPTH``, with its position.
    """
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    start = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, start):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)  # type: ignore[arg-type]
        elif isinstance(event, end):
            depth -= 1


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with the depth limit."""
    return yaml.load(text, Loader=SafeLoader)
