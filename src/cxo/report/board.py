"""The report: one self-contained HTML page assembled from result sections.

Each kind of result (scorecard, assessment, diagnostics, initiatives) has its renderer in
``cxo.report.<kind>.section()``, autoescaped; this module wraps them in a page with inline
CSS, so the file opens anywhere without network access. The full board report (PDF, trend
charts, initiatives) builds on this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from cxo import __version__


@dataclass(frozen=True)
class Section:
    """A titled HTML section produced by a result object's ``to_html()``."""

    title: str
    html: str


_ENV = Environment(
    loader=PackageLoader("cxo.report", "templates"),
    autoescape=select_autoescape(["html"]),
)


def render_report(
    title: str, sections: list[Section], *, language: str = "de", company: str = ""
) -> str:
    """The report page as a string."""
    template = _ENV.get_template("report.html")
    return template.render(
        title=title,
        company=company,
        language=language,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        # Section bodies come from our own renderers, which escape every user value.
        sections=[(s.title, Markup(s.html)) for s in sections],
    )


def write_report(
    path: Path, title: str, sections: list[Section], *, language: str = "de", company: str = ""
) -> Path:
    """Write the report page to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(title, sections, language=language, company=company), "utf-8")
    return path
