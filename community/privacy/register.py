"""The register of processing (GDPR art. 30), generated from the maintained data file beside this module.

Edit ``processing_register.json`` when a feature starts or stops processing personal data; the admin pages
(/admin/privacy/register, .csv, .md) are made from it, so the DPO always reads the current version.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

REGISTER_FILE = Path(__file__).with_name("processing_register.json")
FIELDS = (
    ("name", _l("Processing activity")), ("purpose", _l("Purpose")), ("legal_basis", _l("Legal basis")),
    ("data_subjects", _l("Data subjects")), ("categories_of_data", _l("Categories of personal data")),
    ("special_category", _l("Special category data")), ("recipients", _l("Who can see it")),
    ("retention", _l("Retention")), ("security", _l("Security measures")),
)  # fmt: skip


@cache
def _load() -> dict[str, Any]:
    return json.loads(REGISTER_FILE.read_text(encoding="utf-8"))


def activities() -> list[dict[str, str]]:
    return list(_load()["activities"])


def controller() -> str:
    return current_app.config.get("ORGANISATION_NAME") or _load()["controller"]


def as_markdown() -> str:
    lines = [f"# {_l('Register of processing')}\n\n{_l('Controller')}: {controller()}\n"]
    for activity in activities():
        lines.append(f"## {activity['name']}\n")
        lines.extend(f"- **{label}:** {activity.get(key, '')}" for key, label in FIELDS[1:])
        lines.append("")
    return "\n".join(lines)
