"""The events package sits below the API: it may import `ledger` and `store`, nothing above."""

import ast
from pathlib import Path

import invoicegraph.events

PACKAGE = Path(invoicegraph.events.__file__).parent
ALLOWED = ("invoicegraph.events", "invoicegraph.ledger", "invoicegraph.store")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
    return names


def test_events_import_only_ledger_and_store_of_ours() -> None:
    # given every module of the package
    modules = sorted(PACKAGE.glob("*.py"))
    # when
    ours = {
        (path.name, name)
        for path in modules
        for name in imported_modules(path)
        if name == "invoicegraph" or name.startswith("invoicegraph.")
    }
    # then
    assert modules
    assert {(path, name) for path, name in ours if not name.startswith(ALLOWED)} == set()


def test_the_package_re_exports_what_resolvers_and_schema_import() -> None:
    from invoicegraph.events import EventBus, EventType, InvoiceEvent, invoice_event

    assert EventBus.__module__ == "invoicegraph.events.bus"
    assert {EventType.__name__, InvoiceEvent.__name__, invoice_event.__name__} == {
        "EventType",
        "InvoiceEvent",
        "invoice_event",
    }
