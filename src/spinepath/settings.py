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
class CdsClient:
    """An EHR trusted to call the CDS Hooks services: its JWT issuer, its public keys (a JWK Set
    given inline or at a URL), the jku URLs it may name, the FHIR servers the services may fetch
    from for it (URL prefixes; none given = any), and the clinic its calls belong to."""

    iss: str
    clinic: str
    jwks: dict[str, object] | None = None
    jwks_url: str | None = None
    jku: tuple[str, ...] = ()
    fhir_servers: tuple[str, ...] = ()


def parse_cds_clients(raw: str) -> tuple[CdsClient, ...]:
    """SPINEPATH_CDS_CLIENTS: a JSON array of {"iss", "clinic", "jwks" or "jwks_url", "jku",
    "fhir_servers"}; a clear ValueError names what is wrong."""
    import json

    try:
        items = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"SPINEPATH_CDS_CLIENTS is not valid JSON: {error.msg}") from None
    if not isinstance(items, list):
        raise ValueError("SPINEPATH_CDS_CLIENTS must be a JSON array of client objects")
    clients: list[CdsClient] = []
    for index, item in enumerate(items):
        where = f"SPINEPATH_CDS_CLIENTS[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object")
        unknown = set(item) - {"iss", "clinic", "jwks", "jwks_url", "jku", "fhir_servers"}
        if unknown:
            raise ValueError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        if not isinstance(item.get("iss"), str) or not item["iss"]:
            raise ValueError(f"{where}.iss must be the issuer (a string)")
        if not isinstance(item.get("clinic"), str) or not item["clinic"]:
            raise ValueError(f"{where}.clinic must be a clinic's short name (slug)")
        jwks = item.get("jwks")
        jwks_url = item.get("jwks_url")
        if jwks is None and jwks_url is None:
            raise ValueError(f"{where} needs jwks (a JWK Set) or jwks_url")
        if jwks is not None and not (isinstance(jwks, dict) and isinstance(jwks.get("keys"), list)):
            raise ValueError(f'{where}.jwks must be a JWK Set ({{"keys": [...]}})')
        if jwks_url is not None and not isinstance(jwks_url, str):
            raise ValueError(f"{where}.jwks_url must be a URL")
        lists = {}
        for name in ("jku", "fhir_servers"):
            value = item.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{where}.{name} must be an array of URLs")
            lists[name] = tuple(value)
        clients.append(
            CdsClient(
                iss=item["iss"],
                clinic=item["clinic"],
                jwks=jwks,
                jwks_url=jwks_url,
                jku=lists["jku"],
                fhir_servers=lists["fhir_servers"],
            )
        )
    return tuple(clients)


def _cds_clients_from_env() -> tuple[CdsClient, ...]:
    raw = os.environ.get("SPINEPATH_CDS_CLIENTS")
    path = os.environ.get("SPINEPATH_CDS_CLIENTS_FILE")
    if path:
        raw = Path(path).read_text()
    return parse_cds_clients(raw) if raw else ()


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    # "auto": Secure cookies whenever the request came over HTTPS.
    cookie_secure: str = "auto"
    session_hours: int = 12
    api_token_days: int = 30
    data_dir: Path = field(default=DATA_DIR_DEFAULT)
    # Reminder emails: the SMTP server, the sender, and the address patients' links start with.
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "spinepath@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: int = 10
    public_url: str = "http://127.0.0.1:8000"
    # The worker retries a failed send after retry_seconds × 2^(attempt − 1), up to max_attempts.
    worker_retry_seconds: float = 60.0
    worker_max_attempts: int = 8
    # CDS Hooks: the EHRs trusted to call (JWT issuers and keys), browser origins allowed by
    # CORS, and a development mode without JWT that only `spinepath demo` turns on.
    cds_clients: tuple[CdsClient, ...] = ()
    cds_dev_mode: bool = False
    cds_dev_clinic: str | None = None
    cds_cors_origins: tuple[str, ...] = ("*",)
    # Logins: failed attempts allowed per account and per client address before each further
    # attempt must wait (1 s, doubling with each failure, up to the maximum delay).
    login_account_failures: int = 5
    login_address_failures: int = 30
    login_max_delay_seconds: int = 900
    # The largest request body accepted: any route, a FHIR import, a CDS Hooks call.
    max_request_bytes: int = 1024 * 1024
    max_import_request_bytes: int = 1024 * 1024 * 1024
    # An import's uncompressed size (NDJSON is streamed; a Bundle is read whole up to 64 MB),
    # and the request size above which an import runs in the background (202 and a status).
    max_import_inflated_bytes: int = 8 * 1024 * 1024 * 1024
    import_background_bytes: int = 8 * 1024 * 1024
    max_cds_request_bytes: int = 8 * 1024 * 1024
    # Who may show the pages in a frame (CSP frame-ancestors): 'none', 'self' or origins.
    frame_ancestors: str = "'none'"
    # Strict-Transport-Security max-age sent over HTTPS (0: none).
    hsts_seconds: int = 31536000
    # Logging: a level, and "json" (one object a line) or "text".
    log_level: str = "INFO"
    log_format: str = "json"

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
            smtp_host=os.environ.get("SPINEPATH_SMTP_HOST", "localhost"),
            smtp_port=_env_int("SPINEPATH_SMTP_PORT", 25),
            smtp_from=os.environ.get("SPINEPATH_SMTP_FROM", "spinepath@localhost"),
            smtp_starttls=_env_bool("SPINEPATH_SMTP_STARTTLS", False),
            smtp_username=os.environ.get("SPINEPATH_SMTP_USERNAME") or None,
            smtp_password=os.environ.get("SPINEPATH_SMTP_PASSWORD") or None,
            smtp_timeout_seconds=_env_int("SPINEPATH_SMTP_TIMEOUT_SECONDS", 10),
            public_url=os.environ.get("SPINEPATH_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            worker_retry_seconds=float(os.environ.get("SPINEPATH_WORKER_RETRY_SECONDS") or 60),
            worker_max_attempts=_env_int("SPINEPATH_WORKER_MAX_ATTEMPTS", 8),
            cds_clients=_cds_clients_from_env(),
            cds_dev_mode=_env_bool("SPINEPATH_CDS_DEV_MODE", False),
            cds_dev_clinic=os.environ.get("SPINEPATH_CDS_DEV_CLINIC") or None,
            cds_cors_origins=tuple(
                origin.strip()
                for origin in os.environ.get("SPINEPATH_CDS_CORS_ORIGINS", "*").split(",")
                if origin.strip()
            ),
            login_account_failures=_env_int("SPINEPATH_LOGIN_ACCOUNT_FAILURES", 5),
            login_address_failures=_env_int("SPINEPATH_LOGIN_ADDRESS_FAILURES", 30),
            login_max_delay_seconds=_env_int("SPINEPATH_LOGIN_MAX_DELAY_SECONDS", 900),
            max_request_bytes=_env_int("SPINEPATH_MAX_REQUEST_BYTES", 1024 * 1024),
            max_import_request_bytes=_env_int(
                "SPINEPATH_MAX_IMPORT_REQUEST_BYTES", 1024 * 1024 * 1024
            ),
            max_import_inflated_bytes=_env_int(
                "SPINEPATH_MAX_IMPORT_INFLATED_BYTES", 8 * 1024 * 1024 * 1024
            ),
            import_background_bytes=_env_int("SPINEPATH_IMPORT_BACKGROUND_BYTES", 8 * 1024 * 1024),
            max_cds_request_bytes=_env_int("SPINEPATH_MAX_CDS_REQUEST_BYTES", 8 * 1024 * 1024),
            frame_ancestors=os.environ.get("SPINEPATH_FRAME_ANCESTORS", "").strip() or "'none'",
            hsts_seconds=_env_int("SPINEPATH_HSTS_SECONDS", 31536000),
            log_level=(os.environ.get("SPINEPATH_LOG_LEVEL") or "INFO").upper(),
            log_format=(os.environ.get("SPINEPATH_LOG_FORMAT") or "json").lower(),
        )
