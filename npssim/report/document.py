"""Reports as documents: one content, rendered as Markdown and as one self-contained HTML file.

Analysts hand reports on, often by e-mail or as a single attachment, so the HTML carries
everything inline: figures as base64 PNG, the style sheet in a ``<style>`` element, no scripts, no
fonts or images fetched from elsewhere. It opens the same in any browser, offline, years later.
The Markdown twin is for diffs, wikis and code review; its figures live beside it as PNG files.

Content is captured when it is added (tables become strings, figures become PNG bytes), so a
document renders the same however often it is rendered, and the same content gives the same bytes.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from npssim.files import atomic_path

#: Resolution of embedded and saved figures: a 8-inch figure is 960 px, within the page width.
DPI = 120

#: What a figure name may contain: it becomes a file name on every operating system.
_NAME = re.compile(r"[A-Za-z0-9_-]+")

_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# A "<" that Markdown would take for the start of raw HTML (a tag, comment or declaration).
_RAW_HTML = re.compile(r"<(?=[A-Za-z/!?])")

_NUMBER = r"[+\-−]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?\s?%?|[+\-−]?inf"
_NUMERIC = re.compile(
    rf"(?:{_NUMBER})(?:\s*(?:\[\s*(?:{_NUMBER})\s*,\s*(?:{_NUMBER})\s*\]"
    rf"|\(\s*(?:{_NUMBER})\s*,\s*(?:{_NUMBER})\s*\)|±\s*(?:{_NUMBER})))?"
)
#: Cells that say "no value"; they neither make nor break a numeric column.
_BLANKS = frozenset({"", "n/a", "-", "–", "—"})

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_CSS = """
:root {
  color-scheme: light;
  --fg: #1f2328; --muted: #57606a; --accent: #1f5f99;
  --rule: #d0d7de; --strong-rule: #8c959f; --zebra: #f6f8fa; --code: #eff1f3;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: #fff; color: var(--fg);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.6;
}
main { max-width: 1200px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header.report-header {
  border-bottom: 3px solid var(--accent); padding-bottom: 1rem; margin-bottom: 2rem;
}
h1 { font-size: 2rem; line-height: 1.25; margin: 0; letter-spacing: -0.01em; }
.subtitle { color: var(--muted); font-size: 1.05rem; margin: 0.4rem 0 0; }
h2, h3, h4 { line-height: 1.3; margin: 2.2rem 0 0.8rem; }
h2 { font-size: 1.5rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.2rem; }
h4 { font-size: 1rem; }
p, ul { margin: 0 0 1rem; }
ul { padding-left: 1.5rem; }
li { margin: 0.25rem 0; }
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.875em; background: var(--code); padding: 0.1em 0.35em; border-radius: 4px;
}
.table-wrap { overflow-x: auto; margin: 1.25rem 0 1.75rem; }
table {
  border-collapse: collapse; font-size: 0.875rem; font-variant-numeric: tabular-nums;
  width: 100%;
}
caption {
  caption-side: top; text-align: left; color: var(--muted); font-size: 0.9rem;
  padding-bottom: 0.5rem;
}
th, td {
  padding: 0.35rem 0.55rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid var(--rule);
}
thead th { font-weight: 600; border-bottom: 2px solid var(--strong-rule); }
tbody th { font-weight: 600; }
tbody tr:nth-child(even) { background: var(--zebra); }
th.num, td.num { text-align: right; white-space: nowrap; }
figure { margin: 1.75rem 0; text-align: center; }
figure img {
  max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 4px;
}
figcaption { margin-top: 0.6rem; color: var(--muted); font-size: 0.9rem; }
.label { color: var(--fg); font-weight: 600; }
p.lead { font-size: 1.2rem; line-height: 1.5; margin: 0.5rem 0 1rem; }
td.better { color: #1a7f37; font-weight: 600; }
td.worse { color: #cf222e; font-weight: 600; }
td.unclear { color: var(--muted); }
td.better, td.worse, td.unclear { white-space: nowrap; }
td[title], th[title] { text-decoration: underline dotted var(--strong-rule); cursor: help; }
.tiles { margin: 1rem 0 1.5rem; }
.tiles-caption { color: var(--muted); margin: 0 0 0.5rem; }
.tile-row {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 0.6rem;
}
.tile {
  border: 1px solid var(--rule); border-left-width: 6px; border-radius: 4px;
  padding: 0.5rem 0.7rem; background: var(--zebra);
}
.tile.better { border-left-color: #1a7f37; background: #eefbf1; }
.tile.worse { border-left-color: #cf222e; background: #fff1f0; }
.tile.unclear { border-left-color: var(--strong-rule); }
.tile.shown { border-left-color: var(--accent); background: #f0f6fc; }
.tile-label { font-size: 0.85rem; color: var(--muted); line-height: 1.3; }
.tile-value { font-size: 1.35rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile-interval { font-size: 0.8rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.tile-note { font-size: 0.75rem; color: var(--accent); font-style: italic; line-height: 1.3; }
.tile-verdict { font-size: 0.8rem; font-weight: 600; text-transform: uppercase; }
.tile.better .tile-verdict { color: #1a7f37; }
.tile.worse .tile-verdict { color: #cf222e; }
@media print {
  main { max-width: none; padding: 0; }
  figure, .table-wrap { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  tbody tr:nth-child(even) { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()


@dataclass(frozen=True)
class _Heading:
    text: str
    level: int


@dataclass(frozen=True)
class _Paragraph:
    text: str
    lead: bool = False


@dataclass(frozen=True)
class _Tile:
    label: str
    value: str
    interval: str
    verdict: str  # better, worse, no clear change, shown or context: the tile's colour
    note: str


@dataclass(frozen=True)
class _Tiles:
    caption: str
    items: tuple[_Tile, ...]


@dataclass(frozen=True)
class _Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    row_headers: int  # leading columns that are the frame's index
    caption: str
    number: int  # 0 when uncaptioned: only captioned tables are numbered
    hover: tuple[str, ...] = ()  # per row: shown when the pointer rests on its first cell


@dataclass(frozen=True)
class _Figure:
    name: str
    png: bytes
    caption: str
    number: int


_Block = _Heading | _Paragraph | _Bullets | _Table | _Figure | _Tiles

#: Cell texts that carry a verdict, and the class that colours them in HTML.
_VERDICT_CLASSES = {"better": "better", "worse": "worse", "no clear change": "unclear"}


class Document:
    """A report built block by block, rendered to Markdown and to self-contained HTML.

    Text blocks take plain text with two pieces of inline markup, ```code``` and ``**bold**``;
    everything else is shown as typed (in HTML it is escaped, so ``<script>`` is just text).

    Example:
        >>> document = Document("Baseline", "seed 1, 104 weeks")
        >>> document.paragraph("Reported NPS rose by **12 points**.")
        >>> document.to_markdown().splitlines()[-1]
        'Reported NPS rose by **12 points**.'
    """

    def __init__(self, title: str, subtitle: str = "") -> None:
        self.title = _one_line(title)
        self.subtitle = _one_line(subtitle)
        self._blocks: list[_Block] = []
        self._names: set[str] = set()
        self._tables = 0
        self._figures = 0

    def heading(self, text: str, level: int = 2) -> None:
        """Add a section heading; level 1 is the document's title, so levels run 2 to 4."""
        if isinstance(level, bool) or level not in (2, 3, 4):
            raise ValueError(f"heading level must be 2, 3 or 4, not {level!r}")
        self._blocks.append(_Heading(_one_line(text), level))

    def paragraph(self, text: str, lead: bool = False) -> None:
        """Add a paragraph of plain text with ```code``` and ``**bold**`` markup.

        Line breaks are folded into spaces, as both Markdown and HTML would show them; a blank
        line would otherwise split the paragraph in Markdown only.

        Args:
            text: The paragraph.
            lead: Set it larger, as the answer a reader must see first (HTML).
        """
        self._blocks.append(_Paragraph(_one_line(text), lead))

    def tiles(self, items: Sequence[Sequence[str]], caption: str = "") -> None:
        """Add a row of tiles: a few numbers a leader reads at a glance, coloured by verdict.

        Args:
            items: Per tile: label, value, interval, verdict (``better``, ``worse``,
                ``no clear change``, ``shown`` or ``context``: see
                :mod:`npssim.report.vocabulary`) and a note (may be empty).
            caption: A line above the tiles (in Markdown, the table's first heading).
        """
        tiles = tuple(_Tile(*(_one_line(str(part)) for part in item)) for item in items)
        self._blocks.append(_Tiles(_one_line(caption), tiles))

    def bullets(self, items: Sequence[str]) -> None:
        """Add a bulleted list; each item takes the same inline markup as a paragraph."""
        if isinstance(items, str):
            raise TypeError("bullets() takes a sequence of strings, not one string")
        if items:
            self._blocks.append(_Bullets(tuple(_one_line(item) for item in items)))

    def table(
        self,
        frame: pd.DataFrame,
        caption: str = "",
        index: bool = False,
        hover: Sequence[str] = (),
    ) -> None:
        """Add a table, captured now: later changes to ``frame`` do not reach the report.

        Callers format numbers for people (see ``format_value``); a float cell that slipped
        through is shown with four significant digits, and a missing value as ``n/a``. Columns
        whose cells all look like numbers are right-aligned, so digits line up.

        Args:
            frame: The rows to show; column labels become the header.
            caption: Shown above the table, numbered ("Table 1.") when given.
            index: Whether to show the frame's index as leading row-header columns.
            hover: Per row, a line shown (in HTML) when the pointer rests on the row's first
                cell: what a metric means, without a column that would widen the table.

        Raises:
            ValueError: If the table would have no columns, or ``hover`` has another length.
        """
        if hover and len(hover) != len(frame):
            raise ValueError(f"hover has {len(hover)} lines for {len(frame)} rows")
        columns: list[tuple[str, list[Any]]] = []
        if index:
            for level, name in enumerate(frame.index.names):
                values = frame.index.get_level_values(level)
                columns.append(("" if name is None else _label(name), list(values)))
        for position, label in enumerate(frame.columns):
            columns.append((_label(label), list(frame.iloc[:, position])))
        if not columns:
            raise ValueError("a table needs at least one column")
        cells = [[_cell(value) for value in values] for _, values in columns]
        numeric = tuple(
            _is_numeric_column(values, texts)
            for (_, values), texts in zip(columns, cells, strict=True)
        )
        caption = _one_line(caption)
        if caption:
            self._tables += 1
        self._blocks.append(
            _Table(
                header=tuple(label for label, _ in columns),
                rows=tuple(zip(*cells, strict=True)),
                numeric=numeric,
                row_headers=frame.index.nlevels if index else 0,
                caption=caption,
                number=self._tables if caption else 0,
                hover=tuple(_one_line(text) for text in hover),
            )
        )

    def figure(self, figure: Figure, name: str, caption: str = "") -> None:
        """Add a figure, rendered to PNG now.

        Rendering at once lets the caller drop the figure and fixes the bytes: the PNG carries
        no software version or date, so the same figure gives the same report.

        Args:
            figure: The matplotlib figure.
            name: File stem for the saved PNG, letters, digits, ``_`` and ``-`` only.
            caption: Shown under the figure, numbered ("Figure 1.") when given.

        Raises:
            ValueError: If ``name`` has other characters or is already used (ignoring case,
                since ``NPS.png`` and ``nps.png`` are one file on macOS and Windows).
        """
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(
                f"figure name {name!r} must be letters, digits, '_' or '-' (a file stem)"
            )
        if name.lower() in self._names:
            raise ValueError(f"figure name {name!r} is already used in this document")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        self._names.add(name.lower())
        caption = _one_line(caption)
        if caption:
            self._figures += 1
        self._blocks.append(
            _Figure(name, buffer.getvalue(), caption, self._figures if caption else 0)
        )

    def to_markdown(self, figure_dir: str = "figures", title: bool = True) -> str:
        """Render as GitHub-flavoured Markdown; figures link to ``<figure_dir>/<name>.png``.

        Args:
            figure_dir: Where the figures' PNG files are, relative to the Markdown.
            title: Start with the title and subtitle (not when the text goes inside another
                document, such as a notebook's cell).
        """
        parts = [f"# {_md_inline(self.title)}"] if title else []
        if self.subtitle and title:
            parts.append(_md_inline(self.subtitle))
        for block in self._blocks:
            parts.append(_block_markdown(block, figure_dir))
        return _visible("\n\n".join(parts) + "\n")

    def to_html(self) -> str:
        """Render as one self-contained HTML5 page: inline CSS and figures, no scripts."""
        header = [f"<h1>{_escape(self.title)}</h1>"]
        if self.subtitle:
            header.append(f'<p class="subtitle">{_escape(self.subtitle)}</p>')
        body = "\n".join(_block_html(block) for block in self._blocks)
        page = "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                '<meta name="generator" content="npssim">',
                f"<title>{_escape(self.title)}</title>",
                f"<style>\n{_CSS}\n</style>",
                "</head>",
                "<body>",
                "<main>",
                '<header class="report-header">',
                *header,
                "</header>",
                *([body] if body else []),
                "</main>",
                "</body>",
                "</html>",
                "",
            ]
        )
        return _visible(page)

    def save(self, folder: str | Path, stem: str = "report") -> list[Path]:
        """Write the figures, ``<stem>.md`` and ``<stem>.html`` into ``folder``, atomically.

        Each file is written under a temporary name and renamed, so a reader (or a crash) never
        meets a half-written report. PNG files left from an earlier save under other names are
        not removed.

        Args:
            folder: Where to write; created if missing. Figures go to its ``figures`` folder,
                which is created only when the document has figures.
            stem: File name of the report without extension.

        Returns:
            The paths written: the figures in document order, then the Markdown, then the HTML.

        Raises:
            ValueError: If ``stem`` is not a plain file name.
        """
        if not stem or stem in (".", "..") or Path(stem).name != stem or "\\" in stem:
            raise ValueError(f"report stem {stem!r} must be a plain file name")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        figures = [block for block in self._blocks if isinstance(block, _Figure)]
        if figures:
            (folder / "figures").mkdir(exist_ok=True)
        for block in figures:
            written.append(_write(folder / "figures" / f"{block.name}.png", block.png))
        markdown = self.to_markdown("figures").encode("utf-8")
        written.append(_write(folder / f"{stem}.md", markdown))
        written.append(_write(folder / f"{stem}.html", self.to_html().encode("utf-8")))
        return written


def _write(path: Path, data: bytes) -> Path:
    # Bytes, not text: no newline translation, so files are identical on every platform.
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return path


#: Control characters that have no place in a report: an escape sequence from a scenario's
#: description would recolour or rewrite a terminal that shows report.md (newlines and tabs
#: are the documents' own).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    """The text with control characters written out (ESC as a backslash and x1b), never raw."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _label(label: Any) -> str:
    if isinstance(label, tuple):  # MultiIndex columns
        return " / ".join(_one_line(_cell(part)) for part in label if str(part))
    return _one_line(_cell(label))


def _cell(value: Any) -> str:
    """A cell as people read it: missing is ``n/a``, a stray float gets four digits."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "n/a"
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _is_numeric_column(values: Sequence[Any], texts: Sequence[str]) -> bool:
    """Whether every cell is a number or looks like one, ignoring ``n/a`` and blanks."""
    seen = False
    for value, text in zip(values, texts, strict=True):
        if text.strip() in _BLANKS:
            continue
        is_number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool | np.bool_
        )
        if not (is_number or _NUMERIC.fullmatch(text.strip())):
            return False
        seen = True
    return seen


def _split_code(text: str) -> list[tuple[bool, str]]:
    """Split text into (is_code, piece) pairs around ```code``` spans."""
    pieces: list[tuple[bool, str]] = []
    start = 0
    for match in _CODE.finditer(text):
        pieces.append((False, text[start : match.start()]))
        pieces.append((True, match.group(1)))
        start = match.end()
    pieces.append((False, text[start:]))
    return pieces


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _html_inline(text: str) -> str:
    """Escape everything, then turn ```code``` and ``**bold**`` into elements."""
    out = []
    for is_code, piece in _split_code(text):
        escaped = _escape(piece)
        if is_code:
            out.append(f"<code>{escaped}</code>")
        else:
            out.append(_BOLD.sub(r"<strong>\1</strong>", escaped))
    return "".join(out)


def _plain(text: str) -> str:
    """Text without the inline markup, e.g. for an image's alt text."""
    text = _CODE.sub(r"\1", text)
    return _BOLD.sub(r"\1", text)


def _md_inline(text: str) -> str:
    """Markdown already speaks the inline markup; only keep tags from becoming raw HTML."""
    return "".join(
        f"`{piece}`" if is_code else _RAW_HTML.sub(r"\\<", piece)
        for is_code, piece in _split_code(text)
    )


def _md_cell(text: str) -> str:
    # GFM splits rows on "|" even inside code spans; "\|" is the escape there too.
    return _md_inline(text).replace("|", r"\|")


def _block_markdown(block: _Block, figure_dir: str) -> str:
    if isinstance(block, _Heading):
        return f"{'#' * block.level} {_md_inline(block.text)}"
    if isinstance(block, _Paragraph):
        return _md_inline(block.text)
    if isinstance(block, _Bullets):
        return "\n".join(f"- {_md_inline(item)}" for item in block.items)
    if isinstance(block, _Table):
        return _table_markdown(block)
    if isinstance(block, _Tiles):
        return _tiles_markdown(block)
    link = str(PurePosixPath(figure_dir, f"{block.name}.png")) if figure_dir else block.name
    if any(character.isspace() for character in link):
        link = f"<{link}>"
    alt = _plain(block.caption or block.name).replace("[", r"\[").replace("]", r"\]")
    lines = [f"![{alt}]({link})"]
    if block.caption:
        lines.append(f"*Figure {block.number}.* {_md_inline(block.caption)}")
    return "\n\n".join(lines)


def _table_markdown(block: _Table) -> str:
    header = [_md_cell(text) for text in block.header]
    rows = [[_md_cell(text) for text in row] for row in block.rows]
    widths = [
        max(3, len(header[column]), *(len(row[column]) for row in rows))
        for column in range(len(header))
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if numeric else cell.ljust(width)
            for cell, width, numeric in zip(cells, widths, block.numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    separator = [
        "-" * (width - 1) + ":" if numeric else "-" * width
        for width, numeric in zip(widths, block.numeric, strict=True)
    ]
    lines = [line(header), "| " + " | ".join(separator) + " |", *(line(row) for row in rows)]
    if block.caption:
        lines.insert(0, f"*Table {block.number}.* {_md_inline(block.caption)}\n")
    return "\n".join(lines)


def _block_html(block: _Block) -> str:
    if isinstance(block, _Heading):
        return f"<h{block.level}>{_html_inline(block.text)}</h{block.level}>"
    if isinstance(block, _Paragraph):
        lead = ' class="lead"' if block.lead else ""
        return f"<p{lead}>{_html_inline(block.text)}</p>"
    if isinstance(block, _Bullets):
        items = "".join(f"\n<li>{_html_inline(item)}</li>" for item in block.items)
        return f"<ul>{items}\n</ul>"
    if isinstance(block, _Table):
        return _table_html(block)
    if isinstance(block, _Tiles):
        return _tiles_html(block)
    return _figure_html(block)


def _table_html(block: _Table) -> str:
    def attributes(column: int, scope: str = "") -> str:
        scope_attribute = f' scope="{scope}"' if scope else ""
        return scope_attribute + (' class="num"' if block.numeric[column] else "")

    lines = ['<div class="table-wrap">', "<table>"]
    if block.caption:
        lines.append(
            f'<caption><span class="label">Table {block.number}.</span> '
            f"{_html_inline(block.caption)}</caption>"
        )
    header = "".join(
        f"<th{attributes(column, 'col')}>{_html_inline(text)}</th>"
        for column, text in enumerate(block.header)
    )
    lines += ["<thead>", f"<tr>{header}</tr>", "</thead>", "<tbody>"]
    for number, row in enumerate(block.rows):
        cells = []
        for column, text in enumerate(row):
            tag, scope = ("th", "row") if column < block.row_headers else ("td", "")
            attribute = attributes(column, scope)
            verdict = _verdict_class(text)
            if verdict:
                attribute = attribute.replace(' class="num"', "") + f' class="{verdict}"'
            if column == 0 and block.hover and block.hover[number]:
                attribute += f' title="{_escape(block.hover[number])}"'
            cells.append(f"<{tag}{attribute}>{_html_inline(text)}</{tag}>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines += ["</tbody>", "</table>", "</div>"]
    return "\n".join(lines)


def _verdict_class(text: str) -> str:
    """The verdict a cell states (alone, or as the last word after a number), as a class."""
    if text in _VERDICT_CLASSES:
        return _VERDICT_CLASSES[text]
    last = next((word for word in _VERDICT_CLASSES if text.endswith(f" {word}")), "")
    return _VERDICT_CLASSES.get(last, "")


def _tiles_markdown(block: _Tiles) -> str:
    rows = [
        (f"**{item.label}**" + (f" ({item.note})" if item.note else ""), item.value,
         item.interval, "" if item.verdict in ("shown", "context") else item.verdict)
        for item in block.items
    ]  # fmt: skip
    header = (block.caption or "", "difference", "95% interval", "verdict")
    lines = ["| " + " | ".join(_md_cell(text) for text in header) + " |", "|---|--:|--:|---|"]
    lines += ["| " + " | ".join(_md_cell(text) for text in row) + " |" for row in rows]
    return "\n".join(lines)


def _tiles_html(block: _Tiles) -> str:
    lines = ['<section class="tiles">']
    if block.caption:
        lines.append(f'<p class="tiles-caption">{_html_inline(block.caption)}</p>')
    lines.append('<div class="tile-row">')
    for item in block.items:
        verdict = _VERDICT_CLASSES.get(item.verdict, item.verdict)
        word = item.verdict if item.verdict in _VERDICT_CLASSES else ""
        lines.append(
            f'<div class="tile {verdict}">'
            f'<div class="tile-label">{_html_inline(item.label)}</div>'
            f'<div class="tile-value">{_html_inline(item.value)}</div>'
            f'<div class="tile-interval">{_html_inline(item.interval)}</div>'
            + (f'<div class="tile-note">{_html_inline(item.note)}</div>' if item.note else "")
            + (f'<div class="tile-verdict">{word}</div>' if word else "")
            + "</div>"
        )
    lines += ["</div>", "</section>"]
    return "\n".join(lines)


def _figure_html(block: _Figure) -> str:
    width, height = _png_size(block.png)
    data = base64.b64encode(block.png).decode("ascii")
    alt = _escape(_plain(block.caption or block.name))
    lines = [
        f'<figure id="figure-{block.name}">',
        f'<img src="data:image/png;base64,{data}" width="{width}" height="{height}" alt="{alt}">',
    ]
    if block.caption:
        lines.append(
            f'<figcaption><span class="label">Figure {block.number}.</span> '
            f"{_html_inline(block.caption)}</figcaption>"
        )
    lines.append("</figure>")
    return "\n".join(lines)


def _png_size(png: bytes) -> tuple[int, int]:
    """Pixel size from the PNG header, so the browser reserves the space before decoding."""
    if not png.startswith(_PNG_SIGNATURE) or len(png) < 24:
        raise ValueError("not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
