"""Model files as data: what newsloom ships in ``models/`` and what the fitting scripts write.

A model file is JSON (or an ``.npz`` of plain arrays with its JSON header inside), never a
pickle, so loading one runs no code. Every file names its ``kind``, the ``format`` version of
that kind, the newsloom version that wrote it and the names of the features it expects; a
file of another kind or format, or fitted on other features, is refused on load with the fix.
"""

from __future__ import annotations

import io
import json
import zipfile
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from .errors import ConfigError


def newsloom_version() -> str:
    try:
        return version("newsloom")
    except PackageNotFoundError:
        return "unknown"


def header(kind: str, format_version: int, features: list[str] | tuple[str, ...], **extra) -> dict:
    """What every model file starts with."""
    return {"kind": kind, "format": format_version, "newsloom": newsloom_version(), "features": list(features)} | extra


def check(meta: dict, kind: str, format_version: int, features: list[str] | tuple[str, ...], where: str,
          fix: str) -> dict:
    """Refuse a model file of another kind, format or feature list, saying which and how to fix it."""
    written_by = f"written by newsloom {meta.get('newsloom', '?')}" if isinstance(meta, dict) else "not a model file"
    if not isinstance(meta, dict) or meta.get("kind") != kind:
        raise ConfigError(f"{where} is not a {kind} model file ({written_by})", fix)
    if meta.get("format") != format_version:
        raise ConfigError(f"{where} is a {kind} model of format {meta.get('format')!r} ({written_by}); "
                          f"this newsloom reads format {format_version}", fix)
    if list(meta.get("features", ())) != list(features):
        raise ConfigError(f"{where} was fitted on other features ({written_by}): {meta.get('features')}", fix)
    return meta


def read_json(data: bytes, where: str, fix: str) -> dict:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{where} is not a JSON model file ({error})", fix) from None


def write_npz(meta: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """Plain arrays and the JSON header in one ``.npz`` (read back without pickles)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.array(json.dumps(meta)), **arrays)
    return buffer.getvalue()


def read_npz(data: bytes, where: str, fix: str) -> tuple[dict, dict[str, np.ndarray]]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ConfigError(f"{where} is not an npz model file ({error})", fix) from None
    return meta, arrays
