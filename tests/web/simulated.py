"""A small simulated company for the page tests, built like ``cxo demo`` does, with hostile
user content planted where people type: a charter label, a comment and an initiative name.

Users as in :mod:`tests.web.support` (``tom`` owns the portal, ``sab`` Customer Service).
"""

from __future__ import annotations

from pathlib import Path

from cxo.workspace import Workspace, latest_assessment
from tests.web.support import PASSWORD, USERS

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"
CUSTOMERS = 2000


def build(root: Path, customers: int = CUSTOMERS) -> Workspace:
    """Simulate, import, tag, assess (after renaming the hotline hostile), route follow-ups."""
    from cxo.assess import assess
    from cxo.demo import run_demo
    from cxo.initiatives import Initiative, save_initiative
    from cxo.report.assessment import write_assessment
    from cxo.store.users import create_user

    ws = run_demo(root, customers=customers, seed=1).workspace
    charter = root / "charter.yaml"
    text = charter.read_text("utf-8")
    label = HOSTILE.replace("'", "''")
    text = text.replace(
        "        de: Hotline\n        en: Hotline\n",
        f"        de: '{label} Hotline'\n        en: '{label} Hotline'\n",
    )
    charter.write_text(text, "utf-8")
    ws = Workspace(root)
    write_assessment(ws, assess(ws), author="tests")
    pains = latest_assessment(ws)[1]["pains"]
    theme = next(p["theme"] for p in pains if p["touchpoint"] == "hotline" and p["theme"])
    with ws.connect() as con:
        con.execute(
            """UPDATE response_text SET redacted_text = ?
               WHERE response_id IN (
                 SELECT r.response_id FROM responses r JOIN response_text t USING (response_id)
                 JOIN response_themes th USING (response_id)
                 WHERE r.touchpoint = 'hotline' AND th.theme = ? AND t.redacted_text <> ''
                 ORDER BY t.sentiment_score LIMIT 3)""",
            [f"Terrible wait {HOSTILE}", theme],
        )
    url = ws.app_database_url
    for name, (role, owner_of) in USERS.items():
        create_user(url, name, role, PASSWORD, owner_of=owner_of)
    save_initiative(
        url, Initiative("hostile", f"Hotline fix {HOSTILE}", "Sabine Hoffmann", ["hotline"])
    )
    return ws
