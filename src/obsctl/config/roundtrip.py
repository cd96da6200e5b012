"""Write a changed config over the file it came from, keeping what the user wrote around it.

``config set-context``, ``use-context``, ``rename-context``, ``delete-context`` and the TUI's
``w`` change a few keys; the comments, key order and quoting of everything else stay as they
were. The new document (``load.dump_config``) is merged into a round-trip load of the old
text: a value that did not change keeps its node (and its comments), a changed one is
replaced, a removed key goes, a new key is appended. ruamel.yaml is imported here only, on
the write path.
"""

from __future__ import annotations

import io
from typing import Any


def merge_into_text(
    old_text: str, new_doc: dict[str, Any], rename: tuple[str, str] | None
) -> str | None:
    """``old_text`` with ``new_doc``'s values merged in, as YAML; ``None`` when the old text is
    not one YAML mapping (the caller then writes ``new_doc`` afresh). ``rename`` is a context
    renamed from its first name to its second (it keeps its place and comments)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    try:
        old = yaml.load(old_text)
    except YAMLError:
        return None
    if not isinstance(old, CommentedMap):
        return None
    contexts = old.get("contexts")
    if rename is not None and isinstance(contexts, CommentedMap) and rename[0] in contexts:
        position = list(contexts).index(rename[0])
        contexts.insert(position, rename[1], contexts.pop(rename[0]))
    _merge(old, new_doc)
    out = io.StringIO()
    yaml.dump(old, out)
    return out.getvalue()


def _merge(old: Any, new: dict[str, Any]) -> None:
    for key in [k for k in old if k not in new]:
        del old[key]
    for key, value in new.items():
        if key not in old:
            old[key] = value
        elif isinstance(value, dict) and isinstance(old[key], dict):
            _merge(old[key], value)
        elif not _same(old[key], value):
            old[key] = value


def _same(old: Any, new: Any) -> bool:
    """Whether ``old`` (as written) says what ``new`` says: equal, or an endpoint written as
    ``{url: X}`` where the new document has the shorthand ``X``."""
    if isinstance(old, dict) and isinstance(new, str):
        return list(old) == ["url"] and old["url"] == new
    return bool(old == new)
