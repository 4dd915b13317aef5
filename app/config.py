"""Settings: the only place that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - development default only


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAKAP_", env_file=".env", extra="ignore")

    database_url: str = ""
    secret_key: str = DEFAULT_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    data_dir: Path = ROOT / "var"
    smtp_url: str = ""
    mail_from: str = "Cakap <no-reply@cakap.invalid>"
    courses_dir: Path = ROOT / "courses"
    environment: str = "development"

    session_ttl_hours: int = 12
    # Idle timeout: a session unused this long ends (its expiry caps it anyway).
    session_idle_minutes: int = Field(default=60, ge=5)
    access_token_ttl_minutes: int = Field(default=60, ge=1, le=1440)  # expires_in <= 86,400 s
    # Personal API tokens (HR, admin) live at most this long; a password change, a reset,
    # deactivation or a removed role ends them sooner.
    personal_token_days: int = Field(default=30, ge=1, le=366)
    # First-login codes (import, reset) are accepted once and only within this many days.
    temporary_password_days: int = Field(default=7, ge=1, le=90)
    minutes_per_jp: int = 45
    default_passing_score: int = 70
    jp_target_per_year: int = 20

    # Login throttling (PRODUCT.md §6): this many failures for one account from one address
    # within login_lock_minutes give that pair 429 for login_lock_minutes.
    login_max_failures: int = Field(
        default=5, description="failures before an (account, address) pair is throttled"
    )
    login_lock_minutes: int = 15
    # Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
    # PRODUCT.md §5: a reverse proxy on the same host by default.
    trusted_proxies: str = "127.0.0.1"

    # Certificates: the issuing agency and signatory (shown on every certificate).
    certificate_number_format: str = "{seq:05d}/{course_code}/{issuer_code}/{year}"
    signing_key_path: Path | None = None  # PKCS#12; unset: the development signer, if created
    signing_key_password: str = ""
    issuer_name: str = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    issuer_parent: str = "Pemerintah Kabupaten Tasikmalaya"
    issuer_code: str = "BKPSDM-TSM"
    issuer_place: str = "Singaparna"
    signatory_name: str = "Drs. Dadang Hermawan, M.Si."
    signatory_nip: str = "196805121994031004"
    signatory_title: str = "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"

    # Background jobs: empty = Huey on a SQLite file in data_dir (one node); redis://… for
    # several nodes sharing one queue.
    jobs_url: str = ""
    # The queue's name: Cakap instances sharing one Redis need names of their own.
    jobs_queue: str = Field(default="cakap", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    # Requests holding a database session at once per process (the connection pool's size),
    # and worker threads; the pool must stay below the threads (see app/core/db.py).
    db_pool_size: int = Field(default=8, ge=1)
    threads: int = Field(default=40, ge=2)

    # Backups (`cakap backup`, and the worker's daily one): the passphrase that encrypts them,
    # where the daily ones go (default: <data dir>/backups) and how many of them are kept.
    backup_passphrase: str = ""
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1)

    import_max_bytes: int = 5 * 1024 * 1024
    import_max_rows: int = 20_000
    # An XLSX is a zip: what it unpacks to is bounded too, checked before parsing. A 10,000-row
    # sheet written by openpyxl unpacks to ~5.8 MB, 20,000 rows to ~11.6 MB.
    import_max_unpacked_bytes: int = 25 * 1024 * 1024
    # A course zip (PRODUCT.md §5: export/import): the upload, what it unpacks to, and its entries.
    # The shipped courses export to well under 1 MB; media files are limited to 5 MB each.
    course_zip_max_bytes: int = 50 * 1024 * 1024
    course_zip_max_unpacked_bytes: int = 100 * 1024 * 1024
    course_zip_max_entries: int = 1000
    # An image uploaded in the lesson editor (PNG, JPEG, WebP; re-encoded, at most 1600 px a side).
    course_image_max_bytes: int = 5 * 1024 * 1024

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'cakap.db'}"

    @property
    def effective_backup_dir(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def mail_configured(self) -> bool:
        """Mail reaches people (CAKAP_SMTP_URL): what self-service password reset needs."""
        return bool(self.smtp_url)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def startup_problem(self) -> str | None:
        """Why this configuration must not serve, or None."""
        if self.secure_cookies and self.secret_key == DEFAULT_SECRET_KEY:
            return (
                "CAKAP_SECRET_KEY masih bernilai bawaan pengembangan, padahal CAKAP_BASE_URL "
                "memakai https (produksi). Isi CAKAP_SECRET_KEY dengan nilai acak yang panjang, "
                "misalnya keluaran `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
