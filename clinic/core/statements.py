"""Reads that busy pages run on every request, with SQL that Django compiles once per process (docs/design.md,
"Speed").

Building a QuerySet and compiling it to SQL costs about 1 ms of CPU for a plain filter and several for one with
subqueries, while PostgreSQL answers the same small query in a fraction of that: on the desk's day page the
compilation of ten queries was a third of the request. A `Statement` is still written as a QuerySet, the one way
this project writes reads. It asks Django for that QuerySet's SQL once, with a stand-in value for each argument (a
number, date or time nothing real has), notes where the stand-ins landed among the SQL's parameters, and runs the
same SQL on every call with that call's values in their places. Rows come back exactly as `.values()` would give
them (the fields' own conversions included), or as model instances for a QuerySet of a model.

An argument can also be a list of ids (for `__in`) or None (say, no filter by location at all): the SQL's shape
depends on those, so it is compiled once for each shape met (None, one id, two ids...). Compiling checks that each
stand-in landed somewhere, and that two different sets of stand-ins land in the same places, so an argument the
QuerySet ignored or changed on the way (a datetime made into a date), or a constant that happens to equal a stand-in,
is an error on the first call rather than a wrong answer.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

# Stand-ins for the n-th argument (and the k-th id of a list), in two sets: the SQL is compiled with each, and the
# arguments must land in the same places both times. Numbers fit a small integer field: Django compiles no SQL for
# a value out of a field's range (it knows no row can match).
_SETS = (
    (32_000, datetime(2, 3, 4, tzinfo=UTC), date(2, 3, 4)),
    (31_000, datetime(3, 4, 5, tzinfo=UTC), date(3, 4, 5)),
)
_MOST_ARGUMENTS, _LONGEST_LIST = 25, 999
# How the backend turns a value of each kind into a parameter (DatabaseOperations' method).
_ADAPTERS = {datetime: "adapt_datetimefield_value", date: "adapt_datefield_value"}


def _stand_in(which: int, kind: type, n: int, length: int | None):
    number, instant, day = _SETS[which]
    if kind is list:
        return None if length is None else [number - 1000 * (n + 1) - k for k in range(length)]
    return {int: number - n, datetime: instant + timedelta(seconds=n), date: day + timedelta(days=n)}[kind]


@dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: Django found that no row can match (an empty list for `__in`)
    params: tuple
    # position among the parameters -> the argument, the index in its list, and the backend's adapter if it was used
    slots: dict[int, tuple[str, int | None, str | None]]
    converters: list  # (column, (functions, expression)): the fields' own conversions of what the database gives
    names: tuple[str, ...]  # the columns' names, as .values() names them
    model: type
    using: str


class Statement:
    """A read written as a QuerySet (`build`, called with keyword arguments of the given `kinds`: int, date,
    datetime, or list for a list of ids or None), compiled once per process, database and shape, and run with each
    call's values.

    >>> upcoming = Statement(lambda location, since: Appointment.objects.filter(location=location,
    ...                      start__gte=since).values("pk", "start"), location=int, since=datetime)
    >>> upcoming.values(location=3, since=now)
    """

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        unknown = {name: kind for name, kind in kinds.items() if kind not in (int, date, datetime, list)}
        if unknown or len(kinds) > _MOST_ARGUMENTS:
            raise TypeError(f"A Statement takes up to {_MOST_ARGUMENTS} ints, dates, datetimes or lists: {kinds}.")
        self._build, self._kinds = build, kinds
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str | None, shape: dict[str, int | None]) -> _Compiled:
        made = [self._compile_with(which, using, shape) for which in range(len(_SETS))]
        if any((other.sql, other.slots) != (made[0].sql, made[0].slots) for other in made[1:]):
            raise ValueError("The statement's SQL changes with its arguments' values: see its QuerySet.")
        return made[0]

    def _compile_with(self, which: int, using: str | None, shape: dict[str, int | None]) -> _Compiled:
        stand_ins = {
            name: _stand_in(which, kind, n, shape.get(name)) for n, (name, kind) in enumerate(self._kinds.items())
        }
        queryset = self._build(**stand_ins)
        using = using or queryset.db
        query = queryset.query
        compiler = query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Compiled(None, (), {}, [], (), queryset.model, using)
        # Where each stand-in landed, as given or as the backend adapts it (SQLite takes dates and times as text).
        ops, places = connections[using].ops, {}
        for name, stand_in in stand_ins.items():
            if stand_in is None:  # a list argument given as None: the QuerySet leaves its filter out
                continue
            adapt = _ADAPTERS.get(self._kinds[name])
            for k, value in enumerate(stand_in) if isinstance(stand_in, list) else [(None, stand_in)]:
                places[type(value), value] = (name, k, None)
                if adapt is not None:
                    adapted = getattr(ops, adapt)(value)
                    places.setdefault((type(adapted), adapted), (name, k, adapt))
        slots = {n: places[type(value), value] for n, value in enumerate(params) if (type(value), value) in places}
        unused = {(name, k) for name, k, _ in places.values()} - {(name, k) for name, k, _ in slots.values()}
        if unused:
            raise ValueError(f"The statement's SQL does not take {sorted(unused)} as given: see its QuerySet.")
        if query.selected:
            names = tuple(query.selected)
        else:  # the order ValuesIterable reads a row in
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        converters = compiler.get_converters([column for column, _, _ in compiler.select[: compiler.col_count]])
        return _Compiled(sql, tuple(params), slots, list(converters.items()), names, queryset.model, using)

    def compiled(self, arguments: dict, using: str | None = None) -> tuple[_Compiled, list]:
        """The SQL for these arguments' shape, and its parameters with their values."""
        if arguments.keys() != self._kinds.keys():
            raise TypeError(f"The statement takes {sorted(self._kinds)}, not {sorted(arguments)}.")
        lists = {name: arguments[name] for name, kind in self._kinds.items() if kind is list}
        for name, ids in lists.items():
            if ids is not None:
                lists[name] = ids = sorted(ids)
                if len(ids) > _LONGEST_LIST:
                    raise ValueError(f"A Statement takes lists of up to {_LONGEST_LIST} ids.")
        shape = {name: None if ids is None else len(ids) for name, ids in lists.items()}
        key = (using, *shape.values())
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key)
                if found is None:
                    found = self._compiled[key] = self._compile(using, shape)
        arguments = {**arguments, **lists}
        params, ops = list(found.params), connections[found.using].ops
        for n, (name, k, adapt) in found.slots.items():
            value = arguments[name] if k is None else arguments[name][k]
            params[n] = value if adapt is None else getattr(ops, adapt)(value)
        return found, params

    def values(self, *, using: str | None = None, **arguments) -> list[dict]:
        """The rows as `.values()` gives them: a dictionary per row, keyed by the names given to `.values()`."""
        compiled, params = self.compiled(arguments, using)
        if compiled.sql is None:
            return []
        connection = connections[compiled.using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:  # as SQLCompiler.apply_converters does
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in compiled.converters:
                    for convert in functions:
                        row[position] = convert(row[position], expression, connection)
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def objects(self, *, using: str | None = None, **arguments) -> list:
        """The rows as model instances (with any annotations as attributes), for a QuerySet of its model."""
        compiled, params = self.compiled(arguments, using)
        if compiled.sql is None:
            return []
        return list(compiled.model._default_manager.raw(compiled.sql, params, using=compiled.using))


def statement(**kinds: type) -> Callable[[Callable[..., QuerySet]], Statement]:
    """`Statement` as a decorator of the function that builds the QuerySet."""
    return functools.partial(Statement, **kinds)
