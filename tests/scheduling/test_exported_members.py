from __future__ import annotations

import msinfusion.scheduling as scheduling


def test_every_exported_name_exists_and_is_listed_once() -> None:
    assert len(set(scheduling.__all__)) == len(scheduling.__all__)
    for name in scheduling.__all__:
        assert hasattr(scheduling, name), name
