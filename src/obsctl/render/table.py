"""Plain-text tables and lines: fast, no trailing blanks, never cut off a terminal.

Rich's ``Table`` costs ~0.3 ms a row; a 1,000-series range summary is drawn here in a few
milliseconds. On a terminal, columns marked ``shrink`` give up width (an ellipsis) when a
line is too long; written to a pipe or a file, or with ``-o wide``, nothing is ever truncated
(``width`` is ``None``): data that leaves the terminal must survive ``| grep`` whole.
``fit_width`` is the one place renderers ask how wide they may draw.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from obsctl.render.console import Consoles


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the last one an ellipsis when cut.

    >>> truncate("checkout-7d9f", 8)
    'checkou…'
    """
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


def fit_width(consoles: Consoles) -> int | None:
    """The width tables shrink to: the terminal's, or ``None`` (no limit) off a terminal and
    with ``-o wide``."""
    return consoles.out.width if consoles.out_is_terminal and not consoles.wide else None


class PlainTable:
    """Left-aligned label columns, right-aligned numbers, two blanks between columns."""

    def __init__(self, headers: Sequence[str], right: Sequence[bool], shrink: Sequence[bool]):
        self.headers = list(headers)
        self.right = list(right)
        self.shrink = list(shrink)
        self.rows: list[list[str]] = []

    def add(self, row: Sequence[str]) -> None:
        """Append one row (one string per column)."""
        self.rows.append(list(row))

    def natural_widths(self) -> list[int]:
        """Each column's width without shrinking."""
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], len(cell))
        return widths

    def lines(self, width: int | None) -> list[str]:
        """The header and rows as lines, shrunk to ``width`` (``None``: never shrink)."""
        widths = self.natural_widths()
        excess = sum(widths) + 2 * (len(widths) - 1) - width if width is not None else 0
        # Take one character at a time from the widest shrinkable column, so that long
        # columns end up about equally shortened.
        while excess > 0:
            candidates = [i for i, s in enumerate(self.shrink) if s and widths[i] > 8]
            if not candidates:
                break
            widths[max(candidates, key=lambda i: widths[i])] -= 1
            excess -= 1
        out = []
        for row in [self.headers, *self.rows]:
            cells = []
            for i, text in enumerate(row):
                cell = truncate(text, widths[i])
                cells.append(cell.rjust(widths[i]) if self.right[i] else cell.ljust(widths[i]))
            out.append("  ".join(cells).rstrip())
        return out


def align(
    rows: Sequence[Sequence[Text | str]],
    *,
    gap: int = 2,
    right: Sequence[int] = (),
    width: int | None = None,
) -> list[Text]:
    """Rows of styled cells as lines with aligned columns and no trailing blanks (the last
    column is not padded): the few-row tables whose cells carry colour (``doctor``). Columns
    listed in ``right`` are right-aligned. With a ``width`` (a terminal's, see ``fit_width``),
    a last cell too long for it wraps at word boundaries under itself; without one nothing is
    ever wrapped or cut."""
    cells = [[c if isinstance(c, Text) else Text(c) for c in row] for row in rows]
    ncols = max((len(row) for row in cells), default=0)
    widths = [
        max((row[i].cell_len for row in cells if i < len(row)), default=0) for i in range(ncols)
    ]
    lines = []
    for row in cells:
        line = Text()
        for i, cell in enumerate(row[:-1]):
            pad = widths[i] - cell.cell_len
            line.append_text(Text(" " * pad) + cell if i in right else cell + Text(" " * pad))
            line.append(" " * gap)
        indent = line.cell_len
        last = row[-1] if row else Text()
        if len(row) - 1 in right:
            last = Text(" " * (widths[len(row) - 1] - last.cell_len)) + last
        avail = None if width is None else width - indent
        if avail is None or avail < 20 or last.cell_len <= avail:
            line.append_text(last)
            line.rstrip()
            lines.append(line)
            continue
        for n, part in enumerate(_wrap_words(last, avail)):
            lines.append(line + part if n == 0 else Text(" " * indent) + part)
    return lines


def _wrap_words(text: Text, width: int) -> list[Text]:
    """``text`` cut into pieces of at most ``width`` cells at blanks (inside a word only when
    the word alone is longer), styles kept, the blanks at the cuts dropped."""
    plain = text.plain
    pieces = []
    start = 0
    while len(plain) - start > width:
        cut = plain.rfind(" ", start, start + width + 1)
        end, resume = (cut, cut + 1) if cut > start else (start + width, start + width)
        pieces.append(text[start:end])
        start = resume
    pieces.append(text[start:])
    return pieces


def write_text_lines(consoles: Consoles, lines: Sequence[Text]) -> None:
    """Write styled lines to stdout as they are: no wrapping, no padding (a terminal wraps
    what is too long for it; a pipe gets every character)."""
    consoles.out.print(Text("\n").join(lines), soft_wrap=True)


def write_lines(consoles: Consoles, lines: Sequence[str], *, header: int = 0) -> None:
    """Write plain lines to stdout; the first ``header`` lines are bold on a colour terminal."""
    out = consoles.out
    if not lines:
        return
    if out.no_color or out.color_system is None:
        stream = out.file
        stream.write("\n".join(lines) + "\n")
        stream.flush()
        return
    text = Text("\n".join(lines))
    if header:
        text.stylize("bold", 0, sum(len(line) + 1 for line in lines[:header]))
    out.print(text, soft_wrap=True)
