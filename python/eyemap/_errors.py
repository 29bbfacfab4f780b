"""eyemap's exceptions: one base class, eyemap.Error, with the C++ library's kind and location.

InputError is also a ValueError (bad data, options or configuration), FileError is also an
OSError (a file could not be read or written), InternalError is a bug. Every one carries:

    kind    "input", "io" or "internal"
    reason  the message without the location
    file    the data file, or the label of a DataFrame / dict source ("" when unknown)
    line    1-based line of a file, or 1-based position of a DataFrame row (0 when unknown)
    row     the DataFrame's index label of that row (None for files or when unknown)
    field   the column or option ("" when unknown)
    value   the offending value as text ("" when unknown)
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["Error", "InputError", "FileError", "InternalError"]


class Error(Exception):
    """Base class of every exception eyemap raises (see the module docstring for the attributes)."""

    kind: str = "internal"

    def __init__(self, message: str, *, reason: str = "", file: str = "", line: int = 0, field: str = "",
                 value: str = "", row: Any = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        self.file = file
        self.line = line
        self.field = field
        self.value = value
        self.row = row

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


class InputError(Error, ValueError):
    """Bad input: data (a column, a row, a value), options or region definitions."""

    kind = "input"


class FileError(Error, OSError):
    """A file could not be read or written."""

    kind = "io"

    def __str__(self) -> str:  # OSError's own __str__ would show the errno form
        return self.args[0] if self.args else ""


class InternalError(Error):
    """An unexpected failure inside the library (a bug: please report it)."""

    kind = "internal"


_CLASSES = {"input": InputError, "io": FileError, "internal": InternalError}


def _from_cpp(kind: str, message: str, reason: str, file: str, line: int, field: str, value: str) -> Error:
    """Called by the C++ exception translator for every eyemap::Error."""
    return _CLASSES.get(kind, InternalError)(message, reason=reason, file=file, line=line, field=field, value=value)


def _with_rows(err: Error, labels: Optional[Any], source: str) -> Error:
    """The same error, its message naming the DataFrame row (index label) instead of a line."""
    if labels is None or err.file != source or err.line <= 0:
        return err
    pos = err.line - 1
    try:
        label = labels[pos]
    except Exception:  # noqa: BLE001 - the label is a convenience; the position stays
        label = pos
    parts = [f"{source} row {label!r}" + (f" (position {pos})" if label != pos else "")]
    if err.field:
        parts.append(f"column '{err.field}'")
    if err.value:
        parts.append(f"value {err.value!r}" if len(err.value) <= 200 else f"value {err.value[:200]!r}...")
    new = type(err)(": ".join(parts + [err.reason]), reason=err.reason, file=err.file, line=err.line, field=err.field,
                    value=err.value, row=label)
    return new
