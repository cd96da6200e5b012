"""``Record``: the base of hand-written read-only records that replace frozen dataclasses.

Defining a frozen, slotted dataclass compiles its generated methods (``__init__``,
``__eq__``, ``__hash__``, ``__repr__``, ``__setattr__`` …): ~0.4 ms a class at import. The
PromQL syntax tree, the rule model and the findings are imported by every ``rules check``,
``lint`` and ``validate`` (and by ``rules check``'s helper process before it can start), so
their ~30 classes cost ~12 ms of start-up as dataclasses and ~0.2 ms as records. A record
behaves as the dataclass did: keyword or positional construction, read-only attributes,
equality and hashing over the same fields between instances of the same class, the same
repr, pickling and copying, class patterns in ``match``, and ``replace`` (a method:
``dataclasses.replace`` needs a dataclass).

A subclass lists its fields in ``__match_args__``, in constructor order (``__slots__`` holds
them), and sets them in ``__init__`` with ``object.__setattr__``. ``_compared`` narrows the
fields equality and hashing use (default: all), ``_shown`` the ones the repr shows.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar, Self


class Record:
    """Base of hand-written read-only records (module docstring)."""

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...] | None] = None
    _shown: ClassVar[tuple[str, ...] | None] = None

    _key: ClassVar[attrgetter[Any]]
    """The compared fields of a record (``operator.attrgetter``, set per class)."""

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        compared = cls._compared or cls.__match_args__
        if compared:
            cls._key = attrgetter(*compared)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _fields(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__match_args__}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            key = self._key
            same: bool = key(self) == key(other)
            return same
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __repr__(self) -> str:
        names = self._shown if self._shown is not None else self.__match_args__
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[type[Self], tuple[object, ...]]:
        return (type(self), tuple(self._fields().values()))

    def replace(self, **changes: object) -> Self:
        """A copy with ``changes`` applied (what ``dataclasses.replace`` did)."""
        return type(self)(**{**self._fields(), **changes})
