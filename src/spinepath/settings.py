"""Settings from the environment, with typed defaults. Secrets never live in the code."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR_DEFAULT = Path("var")


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def _persistent_secret(data_dir: Path) -> str:
    """A random secret kept beside the SQLite file, so sessions survive a restart."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    # "auto": Secure cookies whenever the request came over HTTPS.
    cookie_secure: str = "auto"
    session_hours: int = 12
    api_token_days: int = 30
    data_dir: Path = field(default=DATA_DIR_DEFAULT)

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("SPINEPATH_DATA_DIR", str(DATA_DIR_DEFAULT)))
        database_url = os.environ.get("SPINEPATH_DATABASE_URL") or (
            f"sqlite:///{(data_dir / 'spinepath.db').as_posix()}"
        )
        secret = os.environ.get("SPINEPATH_SECRET_KEY") or _persistent_secret(data_dir)
        return cls(
            database_url=database_url,
            secret_key=secret,
            cookie_secure=os.environ.get("SPINEPATH_COOKIE_SECURE", "auto").lower(),
            session_hours=_env_int("SPINEPATH_SESSION_HOURS", 12),
            api_token_days=_env_int("SPINEPATH_API_TOKEN_DAYS", 30),
            data_dir=data_dir,
        )
