"""``model._fast.fast_constructor``: the same objects as the dataclass's own constructor,
or the class itself where the fast path does not fit."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import InitVar, dataclass, field
from typing import ClassVar

import pytest

from obsctl.model._fast import fast_constructor


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    size: int = 0
    tags: tuple[str, ...] = ()
    notes: dict[str, int] = field(default_factory=dict, compare=False)


def test_builds_the_same_object_with_positional_keyword_and_default_arguments() -> None:
    make = fast_constructor(Node)
    assert make is not Node
    for args, kwargs in [(("a",), {}), (("a", 2, ("x",)), {}), ((), {"name": "b", "tags": ("y",)})]:
        made, want = make(*args, **kwargs), Node(*args, **kwargs)
        assert type(made) is Node
        assert made == want and hash(made) == hash(want) and repr(made) == repr(want)
        assert pickle.loads(pickle.dumps(made)) == want
    with pytest.raises(dataclasses.FrozenInstanceError):
        make("a").size = 3  # type: ignore[misc]
    assert dataclasses.replace(make("a"), size=4) == Node("a", 4)


def test_default_factories_give_a_fresh_value_each_time() -> None:
    make = fast_constructor(Node)
    first, second = make("a"), make("a")
    assert first.notes == {} and first.notes is not second.notes
    assert make("a", notes={"n": 1}).notes == {"n": 1}


def test_missing_or_unknown_arguments_fail_as_with_the_class() -> None:
    make = fast_constructor(Node)
    with pytest.raises(TypeError):
        make()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        make("a", colour="red")  # type: ignore[call-arg]


@dataclass(frozen=True)
class NoSlots:
    a: int


@dataclass(frozen=True, slots=True)
class WithPostInit:
    a: int

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("negative")


@dataclass(frozen=True, slots=True)
class Child(Node):
    extra: int = 0


@dataclass(frozen=True, slots=True)
class WithInitVar:
    a: int
    scale: InitVar[int] = 1


@dataclass(frozen=True, slots=True)
class WithClassVar:
    a: int
    LIMIT: ClassVar[int] = 3


@dataclass(frozen=True, slots=True)
class NotInInit:
    a: int
    b: int = field(default=0, init=False)


@pytest.mark.parametrize("cls", [NoSlots, WithPostInit, Child, WithInitVar, NotInInit])
def test_classes_it_does_not_fit_are_returned_as_they_are(cls: type) -> None:
    assert fast_constructor(cls) is cls


def test_a_class_with_a_class_variable_still_constructs() -> None:
    make = fast_constructor(WithClassVar)
    assert make(5) == WithClassVar(5)
