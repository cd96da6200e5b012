"""``render.table.align``: aligned styled rows, wrapped under their column on a terminal only."""

from __future__ import annotations

from rich.text import Text

from obsctl.render.table import align


def _plain(lines: list[Text]) -> list[str]:
    return [line.plain for line in lines]


def test_columns_align_and_the_last_is_not_padded():
    lines = align([["error", "boom"], ["capabilities", "x"]], gap=1)
    assert _plain(lines) == ["error        boom", "capabilities x"]


def test_right_aligned_column():
    lines = align([["LATENCY", "URL"], ["5 ms", "u"]], right=(0,))
    assert _plain(lines) == ["LATENCY  URL", "   5 ms  u"]


def test_without_a_width_a_long_cell_stays_on_one_line():
    message = "word " * 40
    assert _plain(align([["hint", message]], gap=1)) == ["hint " + message.rstrip()]


def test_with_a_width_the_last_cell_wraps_at_blanks_under_itself():
    lines = align([["hint", "aaaa bbbb cccc dddd eeee ffff gggg"]], gap=1, width=30)
    assert _plain(lines) == ["hint aaaa bbbb cccc dddd eeee", "     ffff gggg"]


def test_a_word_longer_than_the_room_is_cut_inside():
    lines = align([["url", "x" * 50]], gap=1, width=30)
    assert _plain(lines) == ["url " + "x" * 26, "    " + "x" * 24]


def test_styles_survive_the_wrap():
    lines = align([["hint", Text("aaaa bbbb cccc dddd eeee ffff", style="cyan")]], gap=1, width=25)
    assert [str(span.style) for span in lines[1].spans] == ["cyan"]


def test_no_wrap_when_the_room_left_is_too_narrow_to_read():
    label = "x" * 70
    lines = align([[label, "aaaa bbbb cccc dddd eeee ffff"]], gap=1, width=80)
    assert len(lines) == 1


def test_a_right_aligned_last_column_is_padded_on_the_left():
    lines = align([["rule", "samples/eval"], ["r", "2.0"]], right=(1,))
    assert _plain(lines) == ["rule  samples/eval", "r              2.0"]
