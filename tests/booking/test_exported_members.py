from __future__ import annotations

import msinfusion.booking as booking


def test_every_exported_name_exists_and_is_listed_once() -> None:
    assert len(set(booking.__all__)) == len(booking.__all__)
    for name in booking.__all__:
        assert hasattr(booking, name), name
