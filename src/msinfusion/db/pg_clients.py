"""The PostgreSQL client programs (pg_dump, pg_restore) that match a server's major version.

pg_dump refuses to dump a server newer than itself, and an archive made by a newer pg_dump may not load
with an older pg_restore. So we look for every installed copy (on ``PATH`` and in Debian's
``/usr/lib/postgresql/<major>/bin``) and take the one whose major version equals the server's, else the
oldest newer one; when only older ones exist we stop with a message that says what to install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

DEBIAN_CLIENT_DIRS = Path("/usr/lib/postgresql")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


class ClientMissing(Exception):
    """No installed client program can talk to the server; the message says what to install."""


def major_version(program: Path) -> int | None:
    """The major version ``program --version`` reports, or None when it does not run."""
    try:
        output = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(output)
    return int(match.group(1)) if match else None


def installed(name: str, debian_dirs: Path = DEBIAN_CLIENT_DIRS) -> dict[Path, int]:
    """Every installed copy of the client ``name`` with its major version."""
    paths: list[Path] = []
    on_path = shutil.which(name)
    if on_path:
        paths.append(Path(on_path).resolve())
    if debian_dirs.is_dir():
        paths.extend(p.resolve() for p in sorted(debian_dirs.glob(f"*/bin/{name}")))
    found: dict[Path, int] = {}
    for path in dict.fromkeys(paths):
        major = major_version(path)
        if major is not None:
            found[path] = major
    return found


def choose(name: str, server_major: int, candidates: dict[Path, int]) -> Path:
    """The candidate for a server of ``server_major``: same major, else the oldest newer one."""
    usable = sorted((major, str(path)) for path, major in candidates.items() if major >= server_major)
    if not usable:
        have = ", ".join(str(m) for m in sorted(set(candidates.values()))) or "none"
        raise ClientMissing(
            f"{name} for PostgreSQL {server_major} is not installed (found versions: {have}); "
            f"install postgresql-client-{server_major}"
        )
    exact = [path for major, path in usable if major == server_major]
    return Path(exact[0] if exact else usable[0][1])


def find(name: str, server_major: int) -> Path:
    """The installed ``name`` to use against a server of ``server_major`` (see :func:`choose`)."""
    return choose(name, server_major, installed(name))
