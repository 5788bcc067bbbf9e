from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(os.environ.get("RECAP_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared_file(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    from tiny_models import make_bart, make_bert2bert, make_t5

    root = tmp_path_factory.mktemp("models")
    return {"bart": make_bart(root / "bart"), "t5": make_t5(root / "t5"), "bert2bert": make_bert2bert(root / "b2b")}
