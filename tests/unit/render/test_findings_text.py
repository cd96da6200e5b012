"""Findings as text: one line per finding when piped, wrapped under itself on a terminal."""

from __future__ import annotations

import io

from obsctl.model.findings import Finding, FindingsReport, Location, Severity
from obsctl.render import emit
from obsctl.render.console import Consoles, make_console

MESSAGE = "a rather long message " * 6


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def report() -> FindingsReport:
    f = Finding(
        "OBS999",
        "long-rule",
        Severity.WARNING,
        MESSAGE.strip(),
        Location("m.prom", 3, 5),
        hint="do the thing",
        source_line='some_metric{a="b"} 1\n',
    )
    return FindingsReport("lint", (f,), (), ("m.prom",))


def render(stream: io.StringIO) -> list[str]:
    consoles = Consoles(
        out=make_console(stream, color=False, width=60),
        err=make_console(io.StringIO(), color=False, width=60),
    )
    emit(report(), "text", consoles)
    return stream.getvalue().splitlines()


def test_piped_output_keeps_each_finding_on_one_line():
    lines = render(io.StringIO())
    assert lines[1] == f"  3:5     warning OBS999 {MESSAGE.strip()}"
    assert lines[2] == '              3 | some_metric{a="b"} 1'
    assert lines[3] == "                |     ^"
    assert lines[4] == "            hint: do the thing"


def test_terminal_output_wraps_with_hanging_indent():
    lines = render(Tty())
    assert all(len(line) <= 60 for line in lines)
    body = [
        line for line in lines[1:] if line and not line.lstrip().startswith(("3 |", "|", "hint"))
    ]
    assert body[0].startswith("  3:5     warning OBS999 a rather long")
    assert len(body) > 1 and all(line.startswith(" " * 18) for line in body[1:])
    assert " ".join(line.strip() for line in body).endswith(MESSAGE.strip())


def test_every_render_module_in_the_table_registers_its_type() -> None:
    import importlib

    from obsctl.render import RENDER_MODULES, formats_for

    for qualified, module in RENDER_MODULES.items():
        owner, _, name = qualified.rpartition(".")
        result_type = getattr(importlib.import_module(owner), name)
        assert formats_for(result_type), qualified
        assert importlib.import_module(module).__name__ == module


def test_every_registered_result_type_is_in_the_table() -> None:
    """A renderer module missing from RENDER_MODULES would need a side-effect import."""
    import importlib
    import pkgutil

    import obsctl.render
    from obsctl.render import _REGISTRY, RENDER_MODULES

    for info in pkgutil.iter_modules(obsctl.render.__path__):
        importlib.import_module(f"obsctl.render.{info.name}")
    registered = {f"{t.__module__}.{t.__qualname__}" for t, _fmt in _REGISTRY}
    assert registered - set(RENDER_MODULES) == set()
