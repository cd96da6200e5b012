"""Cheaper construction of frozen, slotted dataclasses, for code that builds many of them.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (its own
``__setattr__`` refuses): one call per field, most of the cost of building a 100,000-span
trace or a big PromQL syntax tree. ``fast_constructor(cls)`` returns a stand-in class with
the same slots in the same order whose ``__init__`` assigns them directly and then turns the
new object into a ``cls`` (``__class__`` assignment: allowed because the memory layout is
the same). The result is an ordinary ``cls`` instance: equal, hashable and frozen as one
made by ``cls(...)``, with the same arguments and defaults.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

_T = TypeVar("_T")
_MISSING = object()


def fast_constructor(cls: type[_T]) -> type[_T]:
    """A faster stand-in for calling ``cls`` (a frozen dataclass with ``slots=True``).

    Classes this does not fit (no slots of their own, a ``__post_init__``, a base class
    other than ``object``, an ``InitVar`` or a field left out of ``__init__``) get ``cls``
    itself back, so the caller's code is right either way.
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    slots = cls.__dict__.get("__slots__")
    declared: dict[str, object] = getattr(cls, "__dataclass_fields__", {})
    if (
        slots is None
        or cls.__bases__ != (object,)
        or hasattr(cls, "__post_init__")
        or len(declared) != len(fields)  # an InitVar or a ClassVar
        or not all(f.init for f in fields)
        or tuple(slots) != tuple(f.name for f in fields)
    ):
        return cls
    names: dict[str, object] = {"_cls": cls, "_missing": _MISSING, "_set": object.__setattr__}
    params: list[str] = ["self"]
    body: list[str] = []
    for i, f in enumerate(fields):
        if f.default is not dataclasses.MISSING:
            names[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        elif f.default_factory is not dataclasses.MISSING:
            names[f"_factory{i}"] = f.default_factory
            params.append(f"{f.name}=_missing")
            body.append(f"    if {f.name} is _missing:\n        {f.name} = _factory{i}()\n")
        else:
            params.append(f.name)
        body.append(f"    self.{f.name} = {f.name}\n")
    body.append("    _set(self, '__class__', _cls)\n")
    exec(f"def __init__({', '.join(params)}):\n{''.join(body)}", names)
    builder = type(
        f"_Fast{cls.__name__}",
        (),
        {"__slots__": tuple(slots), "__init__": names["__init__"], "__module__": cls.__module__},
    )
    return builder
