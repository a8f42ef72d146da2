"""How break-even names an uncertain assumption: by what a firm could measure, with its unit.

A leader reads "share of reps who would not game the score even where it pays them", not
``reps.integrity_mean`` or "Reps' integrity 0.45 to 0.85": the schema's ``measure`` text says
what a firm could measure to pin the assumption down, and its unit says what a value is. The
screen, the tornado, the map and PRIM's box all name assumptions through this module, so one
assumption reads the same in every table and sentence.
"""

from __future__ import annotations

from npssim.scenario import params_by_path

#: Units that add nothing after a number a sentence already names (a share, a ratio).
_SILENT_UNITS = frozenset({"", "share", "relative", "exponent", "multiplier", "elasticity"})
#: Units that name a share of something (the measure text says of what).
_SHARE_PREFIX = "share"


def name(path: str) -> str:
    """What a firm could measure to pin the assumption, else its label, else its path.

    A model class's own parameter, unknown to the base schema, is named by its path.
    """
    info = params_by_path().get(path)
    if info is None:
        return path
    return info.measure or info.label or path


def unit(path: str) -> str:
    """The assumption's unit of measure, as the schema gives it ("" when unknown)."""
    info = params_by_path().get(path)
    return info.unit if info is not None else ""


def plain(value: float) -> str:
    """A value as a sentence shows it: two decimals, fewer for large numbers."""
    if 0 < abs(value) < 0.1:  # a commission of 0.015 is not 0.01
        return f"{value:.2g}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2f}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def with_unit(path: str, value: float, currency: str = "") -> str:
    """A value of the assumption with its unit: money as money, a share bare."""
    measured = unit(path)
    if measured.startswith("currency"):
        from npssim.report.tables import format_money  # the command line's checks stay light

        return format_money(float(value), currency) + measured.removeprefix("currency")
    if measured in _SILENT_UNITS or measured.startswith(_SHARE_PREFIX):
        return plain(value)
    return f"{plain(value)} {measured}"


def lower_first(text: str) -> str:
    """The text with its first letter lower-cased, unless it starts an acronym."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text
