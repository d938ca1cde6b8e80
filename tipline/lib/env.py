"""Typed readers for settings that come from environment variables.

Each reader takes the variable's name without the ``TIPLINE_`` prefix. Secrets can
also come from a file named by ``TIPLINE_<NAME>_FILE`` (Docker and systemd
credentials), so they need not sit in the process environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "TIPLINE_"


def env_str(name: str, default: str) -> str:
    """An empty value means the default, so a copied .env.example changes nothing."""
    return os.environ.get(PREFIX + name) or default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be a whole number") from None


def env_bool(name: str, default: bool) -> bool:
    """Accept only ``True`` or ``False``: a typo must not silently mean False."""
    raw = os.environ.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    if raw in ("True", "False"):
        return raw == "True"
    raise ImproperlyConfigured(f"{PREFIX}{name} must be True or False, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(PREFIX + name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, generate_in: Path | None) -> str:
    """Read a secret from ``TIPLINE_<NAME>`` or the file ``TIPLINE_<NAME>_FILE``.

    With ``generate_in`` (the embedded default), a missing secret is generated once
    into that directory with mode 0600, so one command starts a safe instance. Without
    it (production), a missing secret stops startup.
    """
    value = os.environ.get(PREFIX + name)
    if value:
        return value
    path = os.environ.get(PREFIX + name + "_FILE")
    if path:
        return Path(path).read_text(encoding="ascii").strip()
    if generate_in is None:
        raise ImproperlyConfigured(
            f"{PREFIX}{name} (or {PREFIX}{name}_FILE) must be set in production"
        )
    return read_or_create_secret(generate_in / name.lower())


def read_or_create_secret(path: Path) -> str:
    """Return the secret stored at ``path``, creating it atomically if absent.

    Several processes may start at once (gunicorn workers, a CLI command), so the
    file is written under a temporary name and linked into place: the first link
    wins and every process reads the same value.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text(encoding="ascii").strip()


def data_dir(package_dir: Path) -> Path:
    """The data directory: ``TIPLINE_DATA_DIR``, else one fixed place.

    The default must not depend on the directory a command runs in: a command run
    inside the package (``make messages`` runs in ``tipline/``) once generated
    secrets there, and they were committed. In a source checkout (``pyproject.toml``
    beside the package) the default is ``var/`` at the project root; an installed
    package uses ``$XDG_DATA_HOME/tipline`` (``~/.local/share/tipline``). A data
    directory inside the package is refused, however it is named.
    """
    raw = os.environ.get(PREFIX + "DATA_DIR")
    if raw:
        chosen = Path(raw).expanduser().resolve()
    elif (package_dir.parent / "pyproject.toml").is_file():
        chosen = (package_dir.parent / "var").resolve()
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        chosen = (Path(xdg) / "tipline").resolve()
    package = package_dir.resolve()
    if chosen == package or package in chosen.parents:
        raise ImproperlyConfigured(
            f"{PREFIX}DATA_DIR is {chosen}, inside the tipline package ({package}): "
            "secrets and the database must never sit among the source files, where "
            "they can be committed or shipped. Choose a directory outside it."
        )
    return chosen
