"""Settings, read once from the environment at import time."""
import os
from dataclasses import dataclass
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    database_url: str = _env("DATABASE_URL", "postgresql+asyncpg://pedal:pedal@localhost:5432/pedal")
    payments_url: str = _env("PAYMENTS_URL", "https://payments.internal/v2")
    sms_url: str = _env("SMS_URL", "https://sms.internal/v1/messages")
    dispatch_url: str = _env("DISPATCH_URL", "https://mechanics.internal/api")
    fx_url: str = _env("FX_URL", "https://fx.internal/latest")
    media_dir: Path = Path(_env("MEDIA_DIR", "/srv/pedal/media"))
    manuals_dir: Path = Path(_env("MANUALS_DIR", "/srv/pedal/manuals"))
    export_dir: Path = Path(_env("EXPORT_DIR", "/srv/pedal/exports"))
    sweep_interval: float = float(_env("SWEEP_INTERVAL", "30"))
    overdue_after_minutes: int = int(_env("OVERDUE_AFTER_MINUTES", "240"))


settings = Settings()
