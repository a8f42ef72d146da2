"""A firm's own exports, read into the canonical tables that ``npssim diagnose`` works on.

A firm brings two files on any day: its survey platform's responses (one row per invitation)
and its CRM's accounts. Their column names, date formats and spellings of yes and no are the
firm's, so everything the diagnosis sees passes through here first, once: the firm's names are
mapped (``--column rep_id=Owner``), dates become weeks, booleans and percentages are normalised,
and a file that cannot mean what the diagnosis needs is refused in one line naming the file, the
column and the row, before anything is written.

Conventions, for people reading a refusal:

- *Rows* are counted as a spreadsheet shows them: the header is row 1, the first record row 2
  (for a CSV that is its line number). A Parquet file has no header row: its first record is
  row 1.
- *Weeks* are whole weeks since the export's first week. Dates are converted with week 0 the
  Monday of the earliest response date. Week numbers, when a firm (or ``npssim export``) gives
  them, are taken as they are: they already count from the export's start, and moving them
  would move the weeks of reviews and quarter ends that timing fingerprints read. Response
  weeks must be 0 or more; a renewal may fall before the first week (a negative week).
- ``invited_by`` is optional and defaults to ``"firm"``: most survey platforms send on a
  trigger (a closed ticket, a renewal), and a firm that cannot say who sent an invitation
  cannot say that a rep did; the rep-triggered fingerprint is then simply absent, not faked.
- ``answered`` is optional: without it, an invitation with a score was answered.
- ``discount`` is a share of list price (0-1); a value written with ``%``, or a column with any
  value above 1, is read as percent. Without the column discounts are unknown (NaN), not zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from npssim.errors import InputError, quoted

#: The extensions read, and how.
READERS = {
    ".csv": "CSV",
    ".tsv": "CSV",
    ".parquet": "Parquet",
    ".pq": "Parquet",
    ".xlsx": "Excel",
}
#: Separators a CSV export may use besides the comma (spreadsheets in many countries write
#: ``;``); one is tried when a file read with commas has a single column that holds it.
OTHER_SEPARATORS = (";", "\t", "|")
#: Encodings tried in order: UTF-8 (with or without a byte-order mark), then Windows' Western
#: European code page, which older CRM exports write (Latin-1, which reads any bytes, last).
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
#: The canonical columns of each table, in order: what a firm's exports are read into and what
#: ``npssim export`` writes (the contract between a firm's files and the diagnosis).
RESPONSE_COLUMNS = (
    "response_id",
    "account_id",
    "rep_id",
    "week",
    "invited_by",
    "answered",
    "score",
)
ACCOUNT_COLUMNS = (
    "account_id",
    "rep_id",
    "annual_value",
    "renewal_week",
    "renewed",
    "discount",
)
#: What a firm may give instead of a week column.
DATE_COLUMNS = {"week": "date", "renewal_week": "renewal_date"}
#: Every name ``--column`` may map, per table.
MAPPABLE = {
    "responses": (*RESPONSE_COLUMNS, "date"),
    "accounts": (*ACCOUNT_COLUMNS, "renewal_date"),
}
#: Who may send an invitation, and the spellings read as each.
INVITERS = {
    "rep": ("rep", "sales rep", "owner", "account owner", "manual", "agent", "csm"),
    "firm": ("firm", "company", "automated", "automatic", "auto", "system", "trigger"),
    "third_party": ("third_party", "third party", "third-party", "independent", "vendor"),
}
#: What ``invited_by`` is when the export does not say (see the module's docstring).
DEFAULT_INVITER = "firm"
#: Spellings of yes and no in the ``answered`` and ``renewed`` columns.
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "1.0", "renewed", "won", "answered"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "0.0", "churned", "lost", "not answered"})
#: The score's scale (Net Promoter Score's "how likely ... 0 to 10").
SCORE_RANGE = (0.0, 10.0)
#: Date formats tried, in order, when a column holds text; the first that reads every cell wins.
#: Day-first and month-first formats that read a column differently are refused as ambiguous.
DATE_FORMATS = (
    "ISO8601",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
)
_AMBIGUOUS = {"%d/%m/%Y": "%m/%d/%Y", "%d-%m-%Y": "%m-%d-%Y", "%d/%m/%y": "%m/%d/%y"}
_MONEY_NOISE = re.compile(r"[\s,$€£¥_']")
_EMPTY = frozenset({"", "nan", "na", "n/a", "none", "null", "-"})


@dataclass
class _Table:
    """One file being read: its frame of strings, name, kind and the firm's column names."""

    path: Path
    frame: pd.DataFrame
    header_rows: int  # 1 when row numbers count a header row (CSV, Excel), else 0
    kind: str  # responses or accounts
    mapping: dict[str, str]

    @property
    def name(self) -> str:
        return quoted(self.path)

    def row(self, index: int) -> int:
        return int(index) + 1 + self.header_rows

    def has(self, column: str) -> bool:
        return self.source(column) in self.frame.columns

    def source(self, column: str) -> str:
        return self.mapping.get(f"{self.kind}.{column}") or self.mapping.get(column) or column

    def where(self, column: str, index: int | None = None) -> str:
        source = self.source(column)
        what = f"column {_name(source)}" + (f" ({column})" if source != column else "")
        return f"{self.name}: {what}" + ("" if index is None else f", row {self.row(index)}")

    def require(self, column: str) -> pd.Series:
        if not self.has(column):
            found = ", ".join(_name(str(name)) for name in self.frame.columns[:20])
            more = " ..." if len(self.frame.columns) > 20 else ""
            alternative = DATE_COLUMNS.get(column)
            wanted = f"{column} (or {alternative})" if alternative else column
            source = self.source(column)
            named = f"{_name(source)} for {wanted}" if source != column else wanted
            raise InputError(
                f"{self.name}: no column {named}; found {found}{more}; map yours with "
                f"--column {column}=NAME"
            )
        return self.frame[self.source(column)]


def _name(column: str) -> str:
    """A column's name as quoted in a message: in quotes, since firms' names have spaces."""
    return f"'{quoted(column, 40)}'"


def parse_columns(texts: Iterable[str]) -> dict[str, str]:
    """``--column`` options (``rep_id=Owner``, ``accounts.rep_id=Account Owner``) as a mapping.

    A name applies to both files unless prefixed with ``responses.`` or ``accounts.``.

    Raises:
        InputError: An option is not ``NAME=COLUMN``, names a column npssim does not read, or
            maps one name twice.
    """
    mapping: dict[str, str] = {}
    for text in texts:
        key, equals, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key or not value:
            raise InputError(
                f"--column {quoted(text)}: expected NAME=COLUMN, e.g. --column rep_id=Owner"
            )
        check_column_key(key, f"--column {quoted(text)}")
        if key in mapping:
            raise InputError(f"--column {quoted(key)}: given twice")
        mapping[key] = value
    return mapping


def check_column_key(key: str, where: str) -> None:
    """``key`` is a column npssim reads (optionally prefixed with its table).

    Raises:
        InputError: Naming ``where`` and the names it could be.
    """
    kind, dot, column = key.rpartition(".")
    tables = [kind] if dot else list(MAPPABLE)
    if (dot and kind not in MAPPABLE) or not any(column in MAPPABLE[t] for t in tables):
        names = sorted({name for names in MAPPABLE.values() for name in names})
        raise InputError(f"{where}: {quoted(key)} is not a column npssim reads; one of {names}")


def read_exports(
    responses: str | Path, accounts: str | Path, *, columns: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a firm's responses and accounts exports into the canonical tables.

    Args:
        responses: The survey platform's export: one row per invitation (CSV, Parquet, .xlsx).
        accounts: The CRM's export: one row per account, or per account and renewal.
        columns: The firm's column names by canonical name, e.g. ``{"rep_id": "Owner"}``;
            ``"accounts.rep_id"`` applies to one file only.

    Returns:
        The responses and accounts tables (columns :data:`RESPONSE_COLUMNS` and
        :data:`ACCOUNT_COLUMNS`), weeks counted from the export's first week.

    Raises:
        InputError: In one line naming the file, the column and the row.
    """
    mapping = dict(columns or {})
    for key in mapping:
        check_column_key(key, f"column mapping {quoted(key)}={quoted(mapping[key])}")
    answers = _Table(*_load(responses), mapping=mapping, kind="responses")
    book = _Table(*_load(accounts), mapping=mapping, kind="accounts")
    account_frame = _accounts(book)
    response_frame, origin = _responses(answers, account_frame)
    account_frame = _renewal_weeks(book, account_frame, origin, answers)
    return response_frame, account_frame


def _load(path: str | Path) -> tuple[Path, pd.DataFrame, int]:
    """A file's cells as a frame of objects (text, or the typed values of Parquet and Excel)."""
    path = Path(path)
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{quoted(path)}: cannot tell its format from {quoted(path.suffix or 'no extension')};"
            f" give a {', '.join(sorted(READERS))} file"
        )
    if not path.is_file():
        raise InputError(f"{quoted(path)}: no such file")
    try:
        if kind == "CSV":
            frame = _read_csv(path)
        elif kind == "Parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except ImportError as err:
        raise InputError(f"{quoted(path)}: reading {kind} needs {err.name or err}") from None
    except Exception as err:  # every reader has its own errors for a damaged file
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"{quoted(path)}: cannot read it as {kind} ({reason})") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    if frame.empty:
        raise InputError(f"{quoted(path)}: has no rows")
    return path, frame.astype(object).reset_index(drop=True), 0 if kind == "Parquet" else 1


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV (or tab-separated) file as text cells, its separator and encoding found."""
    separator = "\t" if path.suffix.lower() == ".tsv" else ","
    for encoding in ENCODINGS:
        try:
            frame = _csv(path, separator, encoding)
            if len(frame.columns) == 1:
                header = str(frame.columns[0])
                other = next((sep for sep in OTHER_SEPARATORS if sep in header), None)
                if other is not None:
                    frame = _csv(path, other, encoding)
            return frame
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _csv(path: Path, separator: str, encoding: str) -> pd.DataFrame:
    return pd.read_csv(
        path,
        sep=separator,
        dtype=str,
        keep_default_na=False,
        skipinitialspace=True,
        encoding=encoding,
    )


def _blank(value: Any) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip().lower() in _EMPTY


def _ids(table: _Table, column: str) -> pd.Series:
    """An identifier column as text: no blanks, whole numbers without ``.0``."""
    values = []
    for index, value in table.require(column).items():
        if _blank(value):
            raise InputError(f"{table.where(column, index)}: is empty")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        values.append(str(value).strip())
    return pd.Series(values, dtype=object)


def _numbers(
    table: _Table, column: str, *, money: bool = False, cells: pd.Series | None = None
) -> pd.Series:
    """A numeric column (or ``cells`` of it); blanks are NaN; money may carry currency signs."""
    values = []
    for index, value in (table.require(column) if cells is None else cells).items():
        if _blank(value):
            values.append(np.nan)
            continue
        text = _MONEY_NOISE.sub("", str(value)) if money else str(value).strip()
        try:
            number = float(text)
        except ValueError:
            raise InputError(
                f"{table.where(column, index)}: {quoted(repr(value), 40)} is not a number"
            ) from None
        if not np.isfinite(number):
            raise InputError(
                f"{table.where(column, index)}: {quoted(repr(value), 40)} is not finite"
            )
        values.append(number)
    return pd.Series(values, dtype=float)


def _booleans(table: _Table, column: str) -> pd.Series:
    """A yes/no column as 1.0, 0.0 or NaN (blank)."""
    values = []
    for index, value in table.require(column).items():
        if _blank(value):
            values.append(np.nan)
            continue
        text = str(value).strip().lower()
        if isinstance(value, bool | np.bool_):
            values.append(float(value))
        elif text in TRUE_WORDS:
            values.append(1.0)
        elif text in FALSE_WORDS:
            values.append(0.0)
        else:
            raise InputError(
                f"{table.where(column, index)}: {quoted(repr(value), 40)} is not yes or no "
                "(yes/no, true/false, 1/0)"
            )
    return pd.Series(values, dtype=float)


def _weeks(table: _Table, column: str) -> pd.Series:
    """A week column: whole numbers, blanks NaN."""
    weeks = _numbers(table, column)
    broken = weeks.notna() & (weeks != weeks.round())
    if broken.any():
        index = int(np.flatnonzero(broken)[0])
        raise InputError(
            f"{table.where(column, index)}: {weeks[index]:g} is not a whole number of weeks"
        )
    return weeks


def _dates(table: _Table, column: str) -> pd.Series:
    """A date column as timestamps (blanks NaT): ISO and the common formats, not ambiguous."""
    raw = table.require(column)
    present = ~raw.map(_blank)
    if present.any() and all(isinstance(v, pd.Timestamp | np.datetime64) for v in raw[present]):
        return pd.to_datetime(raw.where(present), errors="coerce")
    texts = raw[present].map(lambda value: str(value).strip())
    best: tuple[int, str] = (-1, DATE_FORMATS[0])
    for form in DATE_FORMATS:
        parsed = pd.to_datetime(texts, format=form, errors="coerce")
        if parsed.notna().all():
            other = _AMBIGUOUS.get(form)
            if other:
                alternative = pd.to_datetime(texts, format=other, errors="coerce")
                if alternative.notna().all() and not alternative.equals(parsed):
                    index = int(texts.index[np.flatnonzero(alternative != parsed)[0]])
                    raise InputError(
                        f"{table.where(column, index)}: {quoted(texts[index], 40)} may be "
                        "day/month or month/day; write the dates as YYYY-MM-DD"
                    )
            out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
            out[present] = parsed.to_numpy()
            return out
        best = max(best, (int(parsed.notna().sum()), form))
    parsed = pd.to_datetime(texts, format=best[1], errors="coerce")
    index = int(parsed.index[parsed.isna()][0])
    raise InputError(
        f"{table.where(column, index)}: cannot read {quoted(repr(texts[index]), 40)} as a date "
        "(e.g. 2026-03-02)"
    )


def _week_or_date(table: _Table, week: str) -> tuple[str, pd.Series] | None:
    """The table's week column (``"week"``, numbers) or date column (``"date"``, timestamps)."""
    date = DATE_COLUMNS[week]
    if table.has(week):
        return "week", _weeks(table, week)
    if table.has(date):
        return "date", _dates(table, date)
    return None


def _accounts(table: _Table) -> pd.DataFrame:
    """The accounts table, renewal weeks left to :func:`_renewal_weeks`."""
    frame = pd.DataFrame({"account_id": _ids(table, "account_id"), "rep_id": _ids(table, "rep_id")})
    value = _numbers(table, "annual_value", money=True)
    _refuse(table, "annual_value", value.isna(), "is empty")
    _refuse(table, "annual_value", value < 0, "is negative")
    frame["annual_value"] = value
    frame["renewed"] = _booleans(table, "renewed") if table.has("renewed") else np.nan
    frame["discount"] = _discounts(table) if table.has("discount") else np.nan
    return frame


def _discounts(table: _Table) -> pd.Series:
    """Discounts as shares of list price: ``15%`` and a column with values over 1 are percent."""
    raw = table.require("discount")
    percent = raw.map(lambda value: isinstance(value, str) and value.strip().endswith("%"))
    cleaned = raw.where(~percent, raw.map(lambda value: str(value).strip().rstrip("%")))
    shares = _numbers(table, "discount", cells=cleaned)
    if (shares[~percent] > 1).any():
        percent = percent | shares.notna()
    shares = shares.where(~percent, shares / 100)
    _refuse(table, "discount", (shares < 0) | (shares > 1), "is not between 0 and 1 (0-100%)")
    return shares


def _refuse(table: _Table, column: str, broken: pd.Series, problem: str) -> None:
    """Refuse the first row where ``broken`` holds."""
    if broken.any():
        index = int(np.flatnonzero(broken.to_numpy())[0])
        raise InputError(f"{table.where(column, index)}: {problem}")


def _responses(table: _Table, accounts: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    """The responses table, and its clock: dates (from a Monday) or week numbers (from 0)."""
    frame = pd.DataFrame({"account_id": _ids(table, "account_id")})
    if table.has("response_id"):
        frame.insert(0, "response_id", _ids(table, "response_id"))
        duplicated = frame["response_id"].duplicated()
        if duplicated.any():
            index = int(np.flatnonzero(duplicated)[0])
            first = int(np.flatnonzero(frame["response_id"] == frame["response_id"][index])[0])
            raise InputError(
                f"{table.where('response_id', index)}: {quoted(frame['response_id'][index], 40)}"
                f" is already on row {table.row(first)}; each invitation once"
            )
    else:  # a survey export without ids: its rows are the invitations
        frame.insert(0, "response_id", [f"row-{table.row(i)}" for i in range(len(frame))])
    known = set(accounts["account_id"])
    _refuse(
        table,
        "account_id",
        ~frame["account_id"].isin(known),
        "is not an account in the accounts file",
    )
    if table.has("rep_id"):
        frame["rep_id"] = _ids(table, "rep_id")
    else:  # a survey platform that does not know the owner: the CRM does
        owners = accounts.drop_duplicates("account_id").set_index("account_id")["rep_id"]
        frame["rep_id"] = frame["account_id"].map(owners)
    timing = _week_or_date(table, "week")
    kind, values = timing if timing is not None else ("week", table.require("week"))
    _refuse(table, "week" if kind == "week" else "date", values.isna(), "is empty")
    if kind == "date":
        first = values.min().normalize()
        origin = first - pd.Timedelta(days=first.weekday())
        weeks = (values - origin).dt.days // 7
    else:
        origin = 0
        weeks = values
        _refuse(table, "week", weeks < 0, "is negative; weeks count from the export's start")
    frame["week"] = weeks.astype(np.int64)
    frame["invited_by"] = _inviters(table) if table.has("invited_by") else DEFAULT_INVITER
    scores = _numbers(table, "score")
    low, high = SCORE_RANGE
    _refuse(
        table,
        "score",
        scores.notna() & ((scores < low) | (scores > high)),
        f"is outside {low:g}-{high:g}",
    )
    if table.has("answered"):
        answered = _booleans(table, "answered")
        _refuse(table, "answered", answered.isna(), "is empty (yes or no)")
        _refuse(table, "score", (answered == 1) & scores.isna(), "is empty, but answered is yes")
        _refuse(table, "score", (answered == 0) & scores.notna(), "is given, but answered is no")
        frame["answered"] = answered == 1
    else:
        frame["answered"] = scores.notna()
    frame["score"] = scores.where(frame["answered"])
    return frame[list(RESPONSE_COLUMNS)], (kind, origin)


def _inviters(table: _Table) -> pd.Series:
    spellings = {word: key for key, words in INVITERS.items() for word in words}
    values = []
    for index, value in table.require("invited_by").items():
        text = "" if _blank(value) else " ".join(str(value).strip().lower().split())
        if not text:
            values.append(DEFAULT_INVITER)
        elif text in spellings:
            values.append(spellings[text])
        else:
            raise InputError(
                f"{table.where('invited_by', index)}: {quoted(repr(value), 40)} is not rep, "
                "firm or third_party"
            )
    return pd.Series(values, dtype=object)


def _renewal_weeks(
    table: _Table, frame: pd.DataFrame, origin: tuple[str, Any], responses: _Table
) -> pd.DataFrame:
    """Renewal weeks on the responses' clock; an account x renewal appears once."""
    timing = _week_or_date(table, "renewal_week")
    kind, start = origin
    if timing is None:
        frame["renewal_week"] = np.nan
    else:
        given, values = timing
        if given != kind:
            ours = "renewal dates" if given == "date" else "renewal weeks"
            theirs = "weeks" if kind == "week" else "dates"
            raise InputError(
                f"{table.where('renewal_week' if given == 'week' else 'renewal_date')}: gives "
                f"{ours} but {responses.name} gives {theirs}; give both as dates or both as "
                "weeks, so that they share a clock"
            )
        if given == "date":
            frame["renewal_week"] = ((values - start).dt.days // 7).astype(float)
        else:
            frame["renewal_week"] = values
    duplicated = frame.duplicated(["account_id", "renewal_week"])
    _refuse(table, "account_id", duplicated, "is listed twice for the same renewal")
    return frame[list(ACCOUNT_COLUMNS)]
