"""Shared fixtures: the real seed articles and shared data, stores in temporary files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSLOOM_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
NEPALKHABAR = SEEDS / "000_48af7910958ecb10.txt"
OTHER_SEED = SEEDS / "001_dc5a2832e058e991.txt"
EXAMPLES = ROOT / "examples" / "corpus"
STORIES_DEV = SHARED / "data" / "stories-dev"
EXTRACTION_DEV = SHARED / "data" / "extraction-dev"


@pytest.fixture(scope="session")
def embedder():
    from newsloom.cluster import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def comparer(embedder):
    from newsloom.compare import Comparer

    return Comparer(embedder=embedder)


@pytest.fixture
def store(tmp_path):
    from newsloom.store import Store

    s = Store(str(tmp_path / "test.db"))
    yield s
    s.close()


@pytest.fixture
def pipeline(store, embedder):
    from newsloom.pipeline import Pipeline

    return Pipeline(store, embedder=embedder)
