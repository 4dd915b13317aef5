"""Column values to JSON and back, driven by the ORM column types (TypeDecorators included),
so that a row read from one engine is written to the other with the same Python values."""

from __future__ import annotations

import base64
import enum
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, types
from sqlalchemy.types import TypeDecorator

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]


class UnsupportedType(TypeError):
    pass


def _base(type_: types.TypeEngine[Any]) -> types.TypeEngine[Any]:
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


def kind(column: Column[Any]) -> str:
    """The value kind of a column, from its type (its impl for a TypeDecorator)."""
    t = _base(column.type)
    if isinstance(t, types.JSON):
        return "json"
    if isinstance(t, types._Binary):
        return "bytes"
    if isinstance(t, types.DateTime):
        return "datetime"
    if isinstance(t, types.Date):
        return "date"
    if isinstance(t, types.Time):
        return "time"
    if isinstance(t, types.Interval):
        return "interval"
    if isinstance(t, types.Enum):
        return "enum"
    if isinstance(t, types.Float):
        return "float"
    if isinstance(t, types.Numeric):
        return "decimal" if t.asdecimal else "float"
    if isinstance(t, types.Boolean):
        return "bool"
    if isinstance(t, types.Integer):
        return "int"
    if isinstance(t, types.Uuid):
        return "uuid"
    if isinstance(t, types.String):
        return "str"
    raise UnsupportedType(f"{column.table.name}.{column.name}: {column.type!r} has no backup codec")


def _enum_decoder(column: Column[Any]) -> Decoder:
    t = _base(column.type)
    assert isinstance(t, types.Enum)
    enum_class = t.enum_class
    if enum_class is None:
        return lambda v: v
    return lambda v: None if v is None else enum_class(v)


def _enum_encode(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _nullable(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else fn(v)


_ENCODERS: dict[str, Encoder] = {
    # JSON values are wrapped in a one-item list so that SQL NULL (None) and a JSON null
    # ([None]) stay apart.
    "json": lambda v: v,
    "bytes": _nullable(lambda v: base64.b64encode(bytes(v)).decode("ascii")),
    "datetime": _nullable(lambda v: v.isoformat()),
    "date": _nullable(lambda v: v.isoformat()),
    "time": _nullable(lambda v: v.isoformat()),
    "interval": _nullable(lambda v: [v.days, v.seconds, v.microseconds]),
    "enum": _nullable(_enum_encode),
    "float": _nullable(float),
    "decimal": _nullable(lambda v: str(v)),
    "bool": _nullable(bool),
    "int": _nullable(int),
    "uuid": _nullable(lambda v: str(v)),
    "str": _nullable(str),
}

_DECODERS: dict[str, Decoder] = {
    "bytes": _nullable(base64.b64decode),
    "datetime": _nullable(datetime.fromisoformat),
    "date": _nullable(date.fromisoformat),
    "time": _nullable(time.fromisoformat),
    "interval": _nullable(lambda v: timedelta(days=v[0], seconds=v[1], microseconds=v[2])),
    "float": _nullable(float),
    "decimal": _nullable(Decimal),
    "bool": _nullable(bool),
    "int": _nullable(int),
    "uuid": _nullable(uuid.UUID),
    "str": _nullable(str),
}


def encoder(column: Column[Any]) -> Encoder:
    return _ENCODERS[kind(column)]


def decoder(column: Column[Any]) -> Decoder:
    k = kind(column)
    if k == "enum":
        return _enum_decoder(column)
    if k == "json":
        return lambda v: v
    return _DECODERS[k]
