"""Keyset ("seek") pagination over a multi-column sort with mixed directions.

A page ends at some row; the next page starts strictly after that row's sort key. For the
order ``(a DESC, b ASC, c ASC)`` "after (x, y, z)" is ``a < x OR (a = x AND (b > y OR (b = y
AND c > z)))``, which both engines evaluate with the leading index columns. Row-value
comparisons cannot express mixed directions, hence the expanded form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from agent_hub.errors import BadRequest

# (SQL expression, descending?)
SortKey = tuple[Any, bool]


def order_by(keys: Sequence[SortKey]) -> list[Any]:
    return [expr.desc() if desc else expr.asc() for expr, desc in keys]


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """The condition "strictly after the row whose sort key is `values`"."""
    if len(values) != len(keys):
        raise BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged")
    expr, desc = keys[-1]
    cond: ColumnElement[bool] = expr < values[-1] if desc else expr > values[-1]
    for (expr, desc), value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        step = expr < value if desc else expr > value
        cond = or_(step, and_(expr == value, cond))
    return cond


def dump_value(value: Any) -> Any:
    """JSON-safe cursor value (datetimes as ISO strings, tagged so they round-trip)."""
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    return value


def _invalid() -> BadRequest:
    return BadRequest("Invalid cursor", "Pass the next_cursor value from the previous page unchanged")


def load_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"}:
        try:
            return datetime.fromisoformat(str(value["t"]))
        except ValueError as exc:
            raise _invalid() from exc
    if isinstance(value, (str, int, float)) or value is None:
        return value
    raise _invalid()


def load_values(keys: Sequence[SortKey], raw: Any) -> list[Any]:
    """Cursor values checked against the sort columns' Python types, so a forged cursor is a
    400 and never reaches the database as a mistyped comparison."""
    if not isinstance(raw, list) or len(raw) != len(keys):
        raise _invalid()
    values = [load_value(v) for v in raw]
    for (expr, _), value in zip(keys, values, strict=True):
        try:
            expected = expr.type.python_type
        except NotImplementedError:
            continue
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, expected) or isinstance(value, bool) and expected is not bool:
            raise _invalid()
        if isinstance(value, str) and "\x00" in value:
            raise _invalid()
        if isinstance(value, int) and not -(2**62) < value < 2**62:
            raise _invalid()
    return values


def py_sort(items: list[Any], keys: Sequence[tuple[Callable[[Any], Any], bool]]) -> list[Any]:
    """Sort in Python with the same mixed-direction keys (stable sorts, least significant
    key first)."""
    out = list(items)
    for getter, desc in reversed(keys):
        out.sort(key=getter, reverse=desc)
    return out
