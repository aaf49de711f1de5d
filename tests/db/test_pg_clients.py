"""The PostgreSQL client programs are chosen to match the server's major version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from msinfusion.db import pg_clients

CLIENTS = {Path("/usr/bin/pg_dump"): 15, Path("/usr/lib/postgresql/16/bin/pg_dump"): 16}


def test_the_client_of_the_servers_major_version_is_preferred() -> None:
    assert pg_clients.choose("pg_dump", 16, CLIENTS) == Path("/usr/lib/postgresql/16/bin/pg_dump")
    assert pg_clients.choose("pg_dump", 15, CLIENTS) == Path("/usr/bin/pg_dump")


def test_an_older_server_is_served_by_the_oldest_newer_client() -> None:
    assert pg_clients.choose("pg_dump", 13, CLIENTS) == Path("/usr/bin/pg_dump")


def test_a_newer_server_than_every_client_names_the_package_to_install() -> None:
    with pytest.raises(pg_clients.ClientMissing, match=r"found versions: 15, 16\); install postgresql-client-17"):
        pg_clients.choose("pg_dump", 17, CLIENTS)


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_the_installed_pg_dump_reports_its_major_version() -> None:
    found = pg_clients.installed("pg_dump")
    assert found and all(major >= 9 for major in found.values())
