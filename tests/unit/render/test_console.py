"""Colour decisions: flag > NO_COLOR > FORCE_COLOR > TERM=dumb > terminal."""

from __future__ import annotations

import io

import pytest

from obsctl.render.console import use_color


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "flag", "expected"),
    [
        ({}, None, True),
        ({"TERM": "dumb"}, None, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, None, True),
        ({"NO_COLOR": "1"}, None, False),
        ({"TERM": "dumb"}, True, True),
        ({"TERM": "xterm-256color"}, None, True),
    ],
)
def test_use_color_on_a_terminal(monkeypatch, env, flag, expected):
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(Tty(), flag) is expected


def test_no_colour_off_a_terminal(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(io.StringIO(), None) is False
