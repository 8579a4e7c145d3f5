"""The documentation keeps up with the code."""

from __future__ import annotations

import re
from pathlib import Path

from commons.config import SETTINGS
from commons.db import Base, import_all_models

ROOT = Path(__file__).resolve().parent.parent


def test_every_column_is_in_the_data_dictionary():
    import_all_models()
    text = (ROOT / "docs" / "data-dictionary.md").read_text()
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    for table in Base.metadata.sorted_tables:
        assert table.name in sections, f"table {table.name} missing"
        documented = set(re.findall(r"^\| ([\w, ]+) \|", sections[table.name], re.M))
        names = {n.strip() for row in documented for n in row.split(",")}
        missing = {c.name for c in table.columns} - names
        assert not missing, f"{table.name}: {sorted(missing)} not documented"


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name in SETTINGS:
        assert f"`{name}`" in readme, name
