"""Arrow, pandas and polars conversions: each library is optional and imported on use.

Everything goes through an Arrow PyCapsule stream (``__arrow_c_stream__``) of the
native record lists, so no Python object is created per record. The columns are
core's: the columnar form, or (``derived=True``) core's frame form, which adds the
line's wall-clock ``local_timestamp`` and the session-id parts, computed in Rust
with core's rules (``plumlogs._native._frame_stream``). Nothing here lists columns:
which ones are instants comes from core's schema (``_native._frame_schema``).
"""

from __future__ import annotations

from typing import Any

from . import _native

__all__ = ["frame_schema", "progress_bar", "to_arrow", "to_pandas", "to_polars"]


def _need(module: str, what: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"{what} needs the `{module.split('.')[0]}` package, which is not installed: "
            f"`pip install {extra}` (or `pip install 'plumlogs[{module.split('.')[0]}]'`)"
        ) from e


def frame_schema(
    record_type: str, *, derived: bool = True, lines: str | None = None
) -> list[dict[str, Any]]:
    """The columns of a frame of ``record_type`` (``"SessionRecord"``, …) as core's
    schema has them: ``name``, ``type`` (core's logical type), ``nullable``, ``from``
    (the record field it comes from) and ``doc``, in column order."""
    return _native._frame_schema(record_type, derived, lines)


def _check_tz(tz: str | None) -> None:
    if tz is None:
        return
    if not isinstance(tz, str):
        raise _native._invalid_argument("tz", f"must be an IANA zone name (str), got {tz!r}")
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        raise _native._invalid_argument(
            "tz", f"no time zone called {tz!r} (an IANA name such as 'America/New_York')"
        ) from e


def _instants(obj: Any, derived: bool, lines: str | None) -> list[str]:
    """The frame's instant columns (core's ``unix_seconds`` type): what ``tz`` converts."""
    cols = frame_schema(obj.record_type, derived=derived, lines=lines)
    return [c["name"] for c in cols if c["type"] == "unix_seconds"]


class _Stream:
    """The frame of a record list as an Arrow stream (and nothing else).

    polars tries the sequence protocol before the Arrow one, and a record list is
    both; handing it this view makes it take the columnar route.
    """

    def __init__(self, obj: Any, derived: bool, lines: str | None) -> None:
        self._obj = obj
        self._derived = derived
        self._lines = lines

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return _native._frame_stream(self._obj, self._derived, self._lines, requested_schema)


def to_arrow(
    obj: Any, *, derived: bool = False, lines: str | None = None, tz: str | None = None
) -> Any:
    """A ``pyarrow.Table`` of the record list ``obj``: the columnar form as the parser
    wrote it (nothing copied), or core's frame form with ``derived=True``; ``lines``
    keeps the call or tag lines of sessions; ``tz`` sets the instants' zone."""
    _check_tz(tz)
    pa = _need("pyarrow", "to_arrow()", "pyarrow")
    table = pa.RecordBatchReader.from_stream(_Stream(obj, derived, lines)).read_all()
    if tz is None:
        return table
    for name in _instants(obj, derived, lines):
        i = table.schema.get_field_index(name)
        # A zone is metadata of an Arrow timestamp: the instants stay as they are.
        table = table.set_column(i, name, table.column(i).cast(pa.timestamp("s", tz=tz)))
    return table


def to_pandas(
    obj: Any, *, derived: bool = True, lines: str | None = None, tz: str | None = None
) -> Any:
    """A ``pandas.DataFrame`` (via pyarrow): every integer column pandas' nullable
    ``Int64`` (a null stays ``<NA>``, the column stays integers), instants tz-aware."""
    pd = _need("pandas", "to_pandas()", "pandas pyarrow")
    table = to_arrow(obj, derived=derived, lines=lines, tz=tz)
    pa = _need("pyarrow", "to_pandas()", "pyarrow")
    int64 = pd.Int64Dtype()

    def types(t: Any) -> Any:
        # Int64 holds every value of the schema's integer types (int16, uint32, and
        # uint64 counts and ids far below 2**63); pandas checks the cast.
        return int64 if pa.types.is_integer(t) else None

    return table.to_pandas(types_mapper=types)


def to_polars(
    obj: Any, *, derived: bool = True, lines: str | None = None, tz: str | None = None
) -> Any:
    """A ``polars.DataFrame`` read from the Arrow stream (pyarrow not needed)."""
    _check_tz(tz)
    pl = _need("polars", "to_polars()", "polars")
    df = pl.DataFrame(_Stream(obj, derived, lines))
    if tz is not None:
        df = df.with_columns(
            [pl.col(c).dt.convert_time_zone(tz) for c in _instants(obj, derived, lines)]
        )
    return df


def progress_bar(desc: str, total: Any = None) -> Any:
    """A ``tqdm.auto`` bar (notebook-aware), or ``None`` when tqdm is not installed.

    ``progress=True`` without tqdm is not an error: the listing works the same,
    just without a bar, and a warning says why.
    """
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        import warnings

        warnings.warn(
            "progress=True needs the `tqdm` package (`pip install tqdm`); continuing without a bar",
            stacklevel=3,
        )
        return None
    return tqdm(desc=desc, total=total, unit=" records" if total is None else " logs")
