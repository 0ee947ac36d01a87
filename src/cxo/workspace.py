"""A cxo workspace: one directory holding a company's charter, data and settings.

Layout::

    DIR/
      cxo.toml          settings (currency, language, database URLs, secrets from env)
      charter.yaml      the CX charter (versions kept in the operational store)
      data/cxo.duckdb   analytical tables (the data contract), quarantine, import batches
      data/app.db       operational store (SQLite by default; PostgreSQL via settings)
      reports/          assessments and board reports
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.core.charter import Charter, load_charter, template_text
from cxo.errors import InputError, MissingDataError, WorkspaceError

if TYPE_CHECKING:
    import duckdb
    import ibis.backends.duckdb

SETTINGS_FILE = "cxo.toml"
CHARTER_FILE = "charter.yaml"
ENV_VAR = "CXO_WORKSPACE"
_ASSESSMENT_FILE = re.compile(r"^assessment-(\d+)\.json$")


def saved_assessments(reports: Path) -> dict[int, Path]:
    """The saved assessment JSON files (``assessment-<n>.json``) in ``reports``, by number."""
    return {
        int(m.group(1)): p
        for p in reports.glob("assessment-*.json")
        if (m := _ASSESSMENT_FILE.match(p.name))
    }


def latest_assessment(ws: Workspace, *, needed_for: str = "") -> tuple[Path, dict[str, Any]]:
    """The newest saved assessment (``reports/assessment-<n>.json``): its path and content."""
    saved = saved_assessments(ws.reports_dir)
    if not saved:
        raise MissingDataError(
            "no assessment yet" + (f": {needed_for}" if needed_for else ""),
            hint="run `cxo assess` or `cxo demo`",
        )
    path = saved[max(saved)]
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the assessment ({exc})") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not an assessment (expected a JSON object)")
    return path, doc


@dataclass(frozen=True)
class Settings:
    """Workspace settings; ``CXO_APP_DATABASE_URL`` (or ``CXO_DATABASE_URL``),
    ``CXO_SECRET_KEY`` and ``CXO_SECURE_COOKIES`` override the file."""

    company_type: str
    language: str = "de"
    currency: str = "EUR"
    app_database_url: str | None = None
    secret_key: str | None = None
    secure_cookies: bool = False
    """Mark the session cookie ``Secure`` (serve over HTTPS): ``[web] secure_cookies = true``
    or ``CXO_SECURE_COOKIES=1``."""
    timezone: str | None = None
    """The IANA time zone people read times in (``[workspace] timezone = "Europe/Berlin"``);
    ``None``: times are shown in UTC, labelled as such."""
    lake_path: str | None = None
    """``[lake] path``: where ``cxo publish`` writes the Parquet lake (default ``lake/``)."""
    lake_analytics: bool = False
    """``[lake] analytics = true``: analyses read the published lake, not the embedded file."""
    publish_after_import: bool = False
    """``[lake] publish_after_import = true``: every successful import republishes the lake."""
    engine: str = "duckdb"
    """``[analytics] engine``: ``duckdb`` (default) or ``spark`` (reads the published lake:
    scorecard, assessment, diagnostics, theme impact, initiative measurement; see
    :mod:`cxo.engine.spark`)."""

    @classmethod
    def from_file(cls, path: Path) -> Settings:
        """Read ``cxo.toml``; environment variables take precedence for secrets and URLs."""
        try:
            raw: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(f"{path}: invalid TOML: {exc}") from None
        ws = raw.get("workspace", {})
        lake = raw.get("lake", {})
        return cls(
            company_type=str(ws.get("company_type", "custom")),
            language=str(ws.get("language", "de")),
            currency=str(ws.get("currency", "EUR")),
            app_database_url=os.environ.get("CXO_APP_DATABASE_URL")
            or os.environ.get("CXO_DATABASE_URL")
            or raw.get("store", {}).get("url"),
            secret_key=os.environ.get("CXO_SECRET_KEY"),
            timezone=_zone(ws.get("timezone")),
            secure_cookies=_flag(
                os.environ.get("CXO_SECURE_COOKIES"), raw.get("web", {}).get("secure_cookies")
            ),
            lake_path=_text(lake.get("path"), "[lake] path"),
            lake_analytics=_bool(lake.get("analytics"), "[lake] analytics"),
            publish_after_import=_bool(
                lake.get("publish_after_import"), "[lake] publish_after_import"
            ),
            engine=_text(raw.get("analytics", {}).get("engine"), "[analytics] engine") or "duckdb",
        )


def _zone(value: object) -> str | None:
    """The ``[workspace] timezone`` when it names a known IANA zone (``None`` when unset)."""
    if value is None or value == "":
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise WorkspaceError(
            f"[workspace] timezone: unknown time zone {value!r}",
            hint='name an IANA zone such as "Europe/Berlin"',
        ) from None
    return str(value)


def _text(value: object, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WorkspaceError(f"{name} must be a string, not {value!r}")
    return value


def _bool(value: object, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise WorkspaceError(f"{name} must be true or false, not {value!r}")
    return value


def _flag(env: str | None, file_value: object) -> bool:
    """A yes/no setting: the environment variable (``1``/``true``/``yes``/``on``, or
    ``0``/``false``/``no``/``off``) when set, else the file's boolean."""
    if env is not None and env.strip():
        value = env.strip().lower()
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
        raise WorkspaceError(f"CXO_SECURE_COOKIES must be 1/true or 0/false, not {env!r}")
    return _bool(file_value, "[web] secure_cookies")


class Workspace:
    """An initialised workspace directory."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        settings_path = self.root / SETTINGS_FILE
        if not settings_path.is_file():
            raise WorkspaceError(
                f"{self.root} is not a cxo workspace (no {SETTINGS_FILE})",
                hint=f"create one with `cxo init {root}` or pass --workspace / set {ENV_VAR}",
            )
        self.settings = Settings.from_file(settings_path)

    # --- locations -------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        """Directory of the databases."""
        return self.root / "data"

    @property
    def duckdb_path(self) -> Path:
        """The analytical DuckDB database."""
        return self.data_dir / "cxo.duckdb"

    @property
    def charter_path(self) -> Path:
        """The charter YAML."""
        return self.root / CHARTER_FILE

    @property
    def reports_dir(self) -> Path:
        """Where assessments and reports are written."""
        path = self.root / "reports"
        path.mkdir(exist_ok=True)
        return path

    @property
    def app_database_url(self) -> str:
        """SQLAlchemy URL of the operational store."""
        return self.settings.app_database_url or f"sqlite:///{self.data_dir / 'app.db'}"

    # --- access ----------------------------------------------------------------------
    def charter(self) -> Charter:
        """The current, validated charter."""
        return load_charter(self.charter_path)

    @property
    def reads_lake(self) -> bool:
        """Whether read-only (analytic) connections read the published lake (``[lake]``)."""
        return self.settings.lake_analytics

    def connect(
        self, *, read_only: bool = False, embedded: bool = False
    ) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the analytical database.

        With ``[lake] analytics = true`` a read-only connection is an in-memory database with
        a view per published lake table (:mod:`cxo.lake`), unless ``embedded=True``.
        """
        import duckdb

        if read_only and self.reads_lake and not embedded:
            from cxo.lake import attach_views, lake_path

            con = duckdb.connect(":memory:")
            con.execute("SET enable_progress_bar = false")
            attach_views(con, lake_path(self))
            return con
        con = duckdb.connect(str(self.duckdb_path), read_only=read_only)
        con.execute("SET enable_progress_bar = false")  # cxo draws its own (Rich, stderr)
        return con

    def ibis(self, *, read_only: bool = True) -> ibis.backends.duckdb.Backend:
        """An ibis DuckDB backend over the analytical database (or the lake, as ``connect``)."""
        import ibis

        if read_only and self.reads_lake:
            from cxo.lake import attach_views, lake_path

            backend = ibis.duckdb.connect(":memory:")
            backend.raw_sql("SET enable_progress_bar = false")
            attach_views(backend.con, lake_path(self))
            return backend
        backend = ibis.duckdb.connect(str(self.duckdb_path), read_only=read_only)
        backend.raw_sql("SET enable_progress_bar = false")
        return backend

    def tables(self) -> set[str]:
        """Names of the contract tables that hold data."""
        if not self.duckdb_path.exists():
            return set()
        with self.connect(read_only=True) as con:
            rows = con.execute(
                "select table_name from information_schema.tables where table_schema='main'"
            ).fetchall()
        # "__cxo_…": an import's working tables (a killed import leaves one until the next)
        return {r[0] for r in rows if not r[0].startswith("__")}

    # --- creation --------------------------------------------------------------------
    @classmethod
    def create(
        cls, root: Path, company_type: str, *, language: str = "de", force: bool = False
    ) -> Workspace:
        """Create a workspace from the company-type template (charter, databases, settings)."""
        text = template_text(company_type)
        root.mkdir(parents=True, exist_ok=True)
        settings_path = root / SETTINGS_FILE
        if settings_path.exists() and not force:
            raise WorkspaceError(
                f"{root} already holds a cxo workspace", hint="use --force to re-initialise it"
            )
        (root / "data").mkdir(exist_ok=True)
        (root / "reports").mkdir(exist_ok=True)
        (root / CHARTER_FILE).write_text(text, "utf-8")
        settings_path.write_text(
            "# cxo workspace settings. Secrets come from the environment (CXO_SECRET_KEY),\n"
            "# the operational store URL from CXO_APP_DATABASE_URL or [store].url.\n"
            "[workspace]\n"
            f'company_type = "{company_type}"\n'
            f'language = "{language}"\n'
            'currency = "EUR"\n'
            '# timezone = "Europe/Berlin"  # times in the app (default: UTC)\n\n'
            "[store]\n"
            '# url = "postgresql+psycopg://cx@127.0.0.1:5432/cxapp"\n\n'
            "[web]\n"
            "# secure_cookies = true  # behind HTTPS (or set CXO_SECURE_COOKIES=1)\n",
            "utf-8",
        )
        ws = cls(root)
        from cxo.ingest.schema import ensure_schema
        from cxo.store.db import migrate, record_charter_version

        with ws.connect() as con:
            ensure_schema(con)
        migrate(ws.app_database_url)
        record_charter_version(
            ws.app_database_url, text, author="cxo init", message=f"template {company_type}"
        )
        return ws


def resolve_workspace(path: Path | None = None) -> Workspace:
    """The workspace at ``path``, else ``$CXO_WORKSPACE``, else the current directory."""
    if path is None:
        env = os.environ.get(ENV_VAR)
        path = Path(env) if env else Path.cwd()
    return Workspace(path)
