"""Exceptions and warnings.

Every error equity raises on purpose derives from :class:`EquityError`, so a caller (and the
command line, which prints the message without a traceback and exits non-zero) can tell an
expected problem with the input from a bug. Messages name the table, column, rule, count and
example rows, and say how to fix the problem.
"""

from __future__ import annotations

from collections.abc import Sequence


class EquityError(Exception):
    """Base class of every error equity raises on purpose."""


class InputError(EquityError, ValueError):
    """The data given cannot be read or used as it stands (missing file, bad column, ...).

    Parameters
    ----------
    message
        One paragraph: what is wrong, where, and how to fix it.
    table, column, rule
        Where the problem is, when it is about one table / column / validation rule.
    count
        How many rows are affected.
    examples
        Up to five example row numbers or ids.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        rule: str | None = None,
        count: int | None = None,
        examples: Sequence[object] = (),
    ) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.rule = rule
        self.count = count
        self.examples = list(examples)[:5]


class ParameterError(EquityError, ValueError):
    """An argument has a value that is not allowed (unknown period, directorate, option...)."""


class PeriodError(ParameterError):
    """A financial-year period is malformed or the data holds no snapshot for it."""


class OutputError(ParameterError):
    """An output cannot or must not be written (inside the input data, over a file equity did
    not write, a read-only folder, too many rows for Excel...)."""


class ValidationError(EquityError):
    """Validation found errors; ``report`` holds the full :class:`~equity.validation.ValidationReport`."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class ReportError(EquityError):
    """Rendering one or more reports failed."""


class DataQualityWarning(UserWarning):
    """A data-quality signal that does not stop the analysis (unknown codes, exclusions...)."""


def check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_choice("mode", "internal", ["publication", "internal"])
    >>> check_choice("mode", "x", ["publication", "internal"])
    Traceback (most recent call last):
    ...
    equity.errors.ParameterError: `mode` must be one of 'publication', 'internal'; got 'x'.
    """
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ParameterError(f"`{name}` must be one of {options}; got {value!r}.")
