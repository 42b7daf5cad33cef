from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Résumés uploaded by the tests go to a temporary directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]
