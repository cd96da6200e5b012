"""Cheaper construction of frozen, slotted classes, for code that builds many of them.

A frozen dataclass's (or a ``model.record.Record``'s) ``__init__`` sets each field through
``object.__setattr__`` (its own ``__setattr__`` refuses): one call per field, most of the
cost of building a 100,000-span trace or a big PromQL syntax tree. ``fast_constructor(cls)``
returns a stand-in class with the same slots in the same order whose ``__init__`` assigns
them directly and then turns the new object into a ``cls`` (``__class__`` assignment:
allowed because the memory layout is the same). The result is an ordinary ``cls`` instance:
equal, hashable and frozen as one made by ``cls(...)``, with the same arguments and defaults.
"""

from __future__ import annotations

from typing import Any, TypeVar

_T = TypeVar("_T")
_MISSING = object()


def fast_constructor(cls: type[_T]) -> type[_T]:
    """A faster stand-in for calling ``cls`` (a frozen dataclass with ``slots=True``, or a
    ``Record`` whose ``__init__`` only stores its arguments: ``_record_constructor``).

    Dataclasses this does not fit (no slots of their own, a ``__post_init__``, a base class
    other than ``object``, an ``InitVar`` or a field left out of ``__init__``) get ``cls``
    itself back, so the caller's code is right either way.
    """
    if "__dataclass_fields__" not in cls.__dict__:
        return _record_constructor(cls)
    import dataclasses

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


def _record_constructor(cls: type[_T]) -> type[_T]:
    """``fast_constructor`` for a ``model.record.Record``: the stand-in takes the parameters
    of ``cls.__init__`` (its fields, ``__match_args__``, with the same defaults) and stores
    each as given. Only for records whose ``__init__`` does nothing else (tests compare the
    two constructors on every class the parsers use this way)."""
    fields = cls.__dict__.get("__match_args__")
    code = cls.__init__.__code__
    if (
        not isinstance(fields, tuple)
        or cls.__dict__.get("__slots__") != fields
        or code.co_varnames[1 : code.co_argcount] != fields
        or code.co_kwonlyargcount
    ):
        return cls
    defaults = cls.__init__.__defaults__ or ()
    names: dict[str, Any] = {"_cls": cls, "_set": object.__setattr__}
    params = ["self"]
    first_default = len(fields) - len(defaults)
    for i, name in enumerate(fields):
        if i >= first_default:
            names[f"_default{i}"] = defaults[i - first_default]
            params.append(f"{name}=_default{i}")
        else:
            params.append(name)
    body = "".join(f"    self.{name} = {name}\n" for name in fields)
    exec(f"def __init__({', '.join(params)}):\n{body}    _set(self, '__class__', _cls)\n", names)
    # The same base as ``cls`` (same layout), storing through plain attribute assignment:
    # both of ``Record``'s refusals are undone, or the one slot they share stays slow.
    namespace = {
        "__slots__": fields,
        "__init__": names["__init__"],
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": cls.__module__,
    }
    return type(f"_Fast{cls.__name__}", cls.__bases__, namespace)
