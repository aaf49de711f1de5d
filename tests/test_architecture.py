"""The architecture page names real places, and the layers keep their size."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "msinfusion"
PAGE = ROOT / "docs" / "architecture.md"


def _python_lines(folder: Path) -> int:
    return sum(len(path.read_text(encoding="utf-8").splitlines()) for path in folder.rglob("*.py"))


def test_every_module_the_architecture_page_names_exists() -> None:
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+(?:\.py|/))`", PAGE.read_text(encoding="utf-8")))
    candidates = [PACKAGE, PACKAGE / "web", PACKAGE / "web" / "routes", ROOT / "tests", ROOT]
    missing = sorted(name for name in named if not any((base / name).exists() for base in candidates))
    assert missing == []


def test_the_web_layer_is_under_a_quarter_of_the_code() -> None:
    assert _python_lines(PACKAGE / "web") < _python_lines(PACKAGE) / 4


def test_no_module_of_ours_is_over_400_lines() -> None:
    long = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and len(path.read_text(encoding="utf-8").splitlines()) > 400
    ]
    assert long == []
