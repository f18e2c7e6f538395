"""Arrow, pandas and polars conversions: each library is optional and imported on use.

Everything goes through the Arrow PyCapsule stream (``__arrow_c_stream__``) that the
native record lists implement, so no Python object is created per record.
"""

from __future__ import annotations

from typing import Any

__all__ = ["progress_bar", "to_arrow", "to_pandas", "to_polars"]


def _need(module: str, what: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"{what} needs the `{module.split('.')[0]}` package, which is not installed: "
            f"`pip install {extra}` (or `pip install 'plumlogs[{module.split('.')[0]}]'`)"
        ) from e


def to_arrow(obj: Any) -> Any:
    """A ``pyarrow.Table`` read from ``obj.__arrow_c_stream__()``."""
    pa = _need("pyarrow", "to_arrow()", "pyarrow")
    return pa.RecordBatchReader.from_stream(obj).read_all()


def to_pandas(obj: Any) -> Any:
    """A ``pandas.DataFrame`` (via pyarrow); timestamps become tz-aware UTC columns."""
    _need("pandas", "to_pandas()", "pandas pyarrow")
    return to_arrow(obj).to_pandas()


class _Stream:
    """Only the Arrow stream protocol of ``obj``.

    polars tries the sequence protocol before the Arrow one, and a record list is
    both; handing it this view makes it take the columnar route.
    """

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._obj.__arrow_c_stream__(requested_schema)


def to_polars(obj: Any) -> Any:
    """A ``polars.DataFrame`` read from the Arrow stream (pyarrow not needed)."""
    pl = _need("polars", "to_polars()", "polars")
    return pl.DataFrame(_Stream(obj))


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
