"""No code path rewrites history: the only statement on invoice_versions is an INSERT."""

import re
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "invoicegraph"


def test_no_module_updates_or_deletes_invoice_versions() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        if re.search(r"\b(update|delete)\(\s*InvoiceVersionRow", source) or re.search(
            r"(UPDATE|DELETE\s+FROM)\s+invoice_versions", source, re.IGNORECASE
        ):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []
