"""Cheaper construction of frozen, slotted dataclasses for parsers that build many of them."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

_T = TypeVar("_T")
_MISSING = object()


def fast_init(cls: type[_T]) -> type[_T]:
    """A constructor for the frozen, slotted dataclass ``cls`` that sets the slots
    directly: the same object as ``cls(...)``, several times cheaper than the frozen
    dataclass's ``__init__`` (one ``object.__setattr__`` per field). A class with a
    ``__post_init__`` or without slots keeps its own constructor."""
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        return cls
    names: dict[str, object] = {"_new": object.__new__, "_cls": cls, "_missing": _MISSING}
    params: list[str] = []
    body: list[str] = []
    for i, f in enumerate(dataclasses.fields(cls)):  # type: ignore[arg-type]
        names[f"_set{i}"] = getattr(cls, f.name).__set__
        if f.default is not dataclasses.MISSING:
            names[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        elif f.default_factory is not dataclasses.MISSING:
            names[f"_factory{i}"] = f.default_factory
            params.append(f"{f.name}=_missing")
            body.append(f"    if {f.name} is _missing:\n        {f.name} = _factory{i}()\n")
        else:
            params.append(f.name)
        body.append(f"    _set{i}(obj, {f.name})\n")
    source = f"def new({', '.join(params)}):\n    obj = _new(_cls)\n{''.join(body)}    return obj\n"
    exec(source, names)
    return names["new"]  # type: ignore[return-value]
