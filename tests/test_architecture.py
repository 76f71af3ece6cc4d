"""The layers of invoicegraph, checked on every import of every module under invoicegraph/.

Data flows down; nothing imports upward. The table below is the whole rule: a module belongs to the
layer named by its first component under `invoicegraph` (`invoicegraph.store.migrations.env` is in
`store`), and it may import modules of our own only from the layers listed for its layer, and no
third-party package listed as forbidden for it. Every `import` and `from ... import` counts, inside
functions and under `if TYPE_CHECKING:` too, and so do the deferred imports that name a module in a
string (`strawberry.lazy("...")`, `importlib.import_module("...")`).

A module or package that is in no layer fails the test until it is placed in the table on purpose.
There is no list of allowed exceptions: a rule that does not fit is changed here, in the table.

The second rule: the imports that run when a module is loaded (module level, not under
`if TYPE_CHECKING:`, not inside a function) form no cycle among our modules.
"""

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "invoicegraph"
ROOT = "root"  # invoicegraph/__init__.py itself

HTTP = frozenset(
    {
        "http",
        "sqljson",
        "schema",
        "resolvers",
        "auth",
        "events",
        "store",
        "ledger",
        "admin",
        "webhooks",
        "settings",
        "clock",
        "logs",
        "metrics",
        "tracing",
    }
)
"""What the http layer may import: everything below it."""

# layer -> the layers of ours it may import (its own included when it may import itself).
ALLOWED: Mapping[str, frozenset[str]] = {
    # neutral leaves
    ROOT: frozenset(),
    "clock": frozenset(),
    "settings": frozenset(),
    "logs": frozenset(),
    "metrics": frozenset(),  # the Prometheus metrics, defined once
    "tracing": frozenset(),  # OpenTelemetry, from the OTEL_* variables
    # the rules, pure
    "ledger": frozenset({"ledger"}),
    # persistence
    "store": frozenset({"ledger", "store", "clock"}),
    # committed events to subscribers (later the outbox)
    "events": frozenset({"ledger", "store", "events", "clock"}),
    # secrets, tokens, the token endpoint
    "auth": frozenset({"ledger", "store", "auth", "clock", "settings"}),
    # webhook URL policy, signing, secrets at rest, the retry schedule, fan-out and delivery
    "webhooks": frozenset({"ledger", "store", "webhooks", "clock", "settings", "metrics"}),
    # GraphQL calls -> ledger and store calls; the unit of work
    "resolvers": frozenset(
        {"ledger", "store", "events", "auth", "webhooks", "resolvers", "clock", "settings"}
    ),
    # strawberry types only
    "schema": frozenset({"schema", "resolvers", "ledger", "metrics"}),
    # plain reads compiled to one PostgreSQL statement that builds the JSON
    "sqljson": frozenset({"sqljson", "schema", "resolvers", "ledger"}),
    # operator actions and demo data
    "admin": frozenset(
        {"ledger", "store", "auth", "events", "resolvers", "admin", "clock", "settings"}
    ),
    # the Starlette app, the GraphQL view, body limits, media types, the playground page
    "http": HTTP,
    # the command line: anything
    "cli": HTTP | {"cli", ROOT},
}

_IO_AND_FRAMEWORKS = frozenset(
    {
        "sqlalchemy",
        "sqlmodel",
        "alembic",
        "aiosqlite",
        "asyncpg",
        "strawberry",
        "graphql",
        "starlette",
        "httpx",
        "uvicorn",
        "click",
    }
)

# layer -> third-party top-level packages it may not import (any layer not named: no limit).
FORBIDDEN_THIRD_PARTY: Mapping[str, frozenset[str]] = {
    "ledger": _IO_AND_FRAMEWORKS,
    "store": frozenset({"strawberry", "graphql", "starlette"}),
    "schema": frozenset({"sqlalchemy", "sqlmodel", "alembic", "aiosqlite", "asyncpg"}),
    "webhooks": frozenset({"strawberry", "graphql", "starlette"}),
    "sqljson": frozenset({"sqlalchemy", "sqlmodel", "asyncpg", "starlette", "strawberry"}),
}

SOURCE_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = SOURCE_ROOT / PACKAGE


@dataclass(frozen=True)
class Import:
    line: int
    target: str  # absolute dotted name: "invoicegraph.store.records", "sqlalchemy.orm"
    at_load: bool  # runs when the module is loaded (counts for cycles)


@dataclass(frozen=True)
class Module:
    name: str  # "invoicegraph.schema.query"
    path: str  # "invoicegraph/schema/query.py", for messages
    imports: tuple[Import, ...]


def layer_of(module: str) -> str | None:
    """The layer of one of our dotted names, or None when it is in no layer of the table."""
    if module == PACKAGE:
        return ROOT
    first = module.split(".")[1]
    return first if first in ALLOWED and first != ROOT else None


def is_ours(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_statements(
    node: ast.AST, *, at_load: bool
) -> Iterator[tuple[ast.Import | ast.ImportFrom | ast.Call, bool]]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, at_load
        return
    if isinstance(node, ast.Call) and _deferred_module(node) is not None:
        yield node, False
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        at_load = False
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        yield from _import_statements(node.test, at_load=at_load)
        for statement in node.body:
            yield from _import_statements(statement, at_load=False)
        for statement in node.orelse:
            yield from _import_statements(statement, at_load=at_load)
        return
    for child in ast.iter_child_nodes(node):
        yield from _import_statements(child, at_load=at_load)


def _deferred_module(call: ast.Call) -> str | None:
    """The module named by `strawberry.lazy("m")` or `importlib.import_module("m")`, if any."""
    function = call.func
    name = (
        function.attr
        if isinstance(function, ast.Attribute)
        else function.id
        if isinstance(function, ast.Name)
        else None
    )
    if name not in {"lazy", "import_module"} or not call.args:
        return None
    argument = call.args[0]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        dotted = argument.value.lstrip(".")
        if all(part.isidentifier() for part in dotted.split(".")):
            return argument.value
    return None


def _absolute(module: str, *, level: int, importer: str, is_package: bool) -> str:
    """Resolve a relative name (`level` leading dots) against the importing module."""
    if level == 0:
        return module
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    if level - 1 > len(parts) - 1:
        raise ValueError(f"{importer}: relative import beyond the top-level package")
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _is_submodule(name: str, known: frozenset[str]) -> bool:
    if name in known:
        return True
    # `from invoicegraph import http` names a layer even before the layer exists in this tree.
    parent, _, child = name.rpartition(".")
    return parent == PACKAGE and child in ALLOWED


def parse_module(
    source: str,
    *,
    name: str,
    path: str,
    is_package: bool = False,
    known: frozenset[str] = frozenset(),
) -> Module:
    """Every import of one module's source, each resolved to an absolute dotted name.

    `known` holds the dotted names of the modules that exist, so that `from pkg import x` is
    recorded as an import of `pkg.x` when that is a module, and of `pkg` otherwise.
    """
    found: list[Import] = []
    tree = ast.parse(source, filename=path)
    for node, at_load in _import_statements(tree, at_load=True):
        if isinstance(node, ast.Import):
            found.extend(Import(node.lineno, alias.name, at_load) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(
                node.module or "", level=node.level, importer=name, is_package=is_package
            )
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                target = candidate if _is_submodule(candidate, known) else base
                found.append(Import(node.lineno, target, at_load))
        else:
            named = _deferred_module(node)
            assert named is not None
            dots = len(named) - len(named.lstrip("."))
            target = _absolute(named.lstrip("."), level=dots, importer=name, is_package=is_package)
            found.append(Import(node.lineno, target, at_load))
    # `from m import a, b` is one import of `m`, reported once.
    return Module(name=name, path=path, imports=tuple(dict.fromkeys(found)))


def violations(modules: Iterable[Module]) -> list[str]:
    """Every import against the table, as `path:line imports target (reason)`."""
    problems: list[str] = []
    for module in modules:
        layer = layer_of(module.name)
        if layer is None:
            problems.append(
                f"{module.path}: {module.name} is in no layer (add it to the layer table)"
            )
            continue
        for imported in module.imports:
            where = f"{module.path}:{imported.line} imports {imported.target}"
            if is_ours(imported.target):
                target_layer = layer_of(imported.target)
                if target_layer is None:
                    problems.append(f"{where}, which is in no layer (add it to the layer table)")
                elif target_layer not in ALLOWED[layer]:
                    problems.append(f"{where} ({layer} may not import {target_layer})")
            else:
                top = imported.target.split(".")[0]
                if top in FORBIDDEN_THIRD_PARTY.get(layer, frozenset()):
                    problems.append(f"{where} ({layer} may not import {top})")
    return problems


def _load_edges(modules: Iterable[Module]) -> dict[str, dict[str, int]]:
    """importer -> {imported module: first line}, for the imports that run at load time.

    Importing `a.b.c` runs `a` and `a.b` first, so the edge goes to each of them too, except to
    the packages that contain the importer (they are already loading when it runs).
    """
    modules = list(modules)
    names = {module.name for module in modules}
    edges: dict[str, dict[str, int]] = {module.name: {} for module in modules}
    for module in modules:
        for imported in module.imports:
            if not imported.at_load or not is_ours(imported.target):
                continue
            parts = imported.target.split(".")
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                inside = module.name.startswith(target + ".")
                if target in names and target != module.name and not inside:
                    edges[module.name].setdefault(target, imported.line)
    return edges


def cycles(modules: Iterable[Module]) -> list[str]:
    """One shortest cycle per strongly connected group of modules, with the lines importing."""
    modules = list(modules)
    paths = {module.name: module.path for module in modules}
    edges = _load_edges(modules)

    # Tarjan's strongly connected components.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(edges[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            connect(node)

    reports: list[str] = []
    for group in sorted(groups):
        members = set(group)
        start = group[0]
        # Breadth-first from start, within the group, back to start: a shortest cycle.
        previous: dict[str, str] = {}
        frontier = [start]
        closing: str | None = None
        while frontier and closing is None:
            following: list[str] = []
            for node in frontier:
                for successor in sorted(edges[node]):
                    if successor == start:
                        closing = node
                        break
                    if successor in members and successor not in previous:
                        previous[successor] = node
                        following.append(successor)
                if closing is not None:
                    break
            frontier = following
        assert closing is not None
        chain = [closing]
        while chain[-1] != start:
            chain.append(previous[chain[-1]])
        chain.reverse()
        steps = [
            f"{paths[node]}:{edges[node][successor]} imports {successor}"
            for node, successor in zip(chain, [*chain[1:], start], strict=True)
        ]
        reports.append(" -> ".join([*chain, start]) + "\n    " + "\n    ".join(steps))
    return reports


def _module_name(path: Path) -> tuple[str, bool]:
    relative = path.relative_to(SOURCE_ROOT).with_suffix("")
    parts = relative.parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def package_modules() -> list[Module]:
    """Every module under invoicegraph/, parsed."""
    files = sorted(PACKAGE_DIR.rglob("*.py"))
    named = [(path, *_module_name(path)) for path in files]
    known = frozenset(name for _, name, _ in named)
    return [
        parse_module(
            path.read_text(encoding="utf-8"),
            name=name,
            path=path.relative_to(SOURCE_ROOT).as_posix(),
            is_package=is_package,
            known=known,
        )
        for path, name, is_package in named
    ]


# ---- the package


def test_every_import_respects_the_layers() -> None:
    modules = package_modules()
    assert len(modules) > 10, f"found only {len(modules)} modules under {PACKAGE_DIR}"
    problems = violations(modules)
    if problems:
        pytest.fail(
            f"{len(problems)} imports break the layers (table in tests/test_architecture.py):\n"
            + "\n".join(problems),
            pytrace=False,
        )


def test_modules_import_each_other_without_cycles() -> None:
    found = cycles(package_modules())
    if found:
        pytest.fail(f"{len(found)} import cycles at load time:\n" + "\n".join(found), pytrace=False)


# ---- the checker itself can fail


def _schema_module(source: str) -> Module:
    return parse_module(
        source,
        name="invoicegraph.schema.query",
        path="invoicegraph/schema/query.py",
        known=frozenset({"invoicegraph.store.records", "invoicegraph.resolvers.context"}),
    )


def test_a_forbidden_import_is_reported_with_file_line_and_rule() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import strawberry\n"
        "from invoicegraph.resolvers.context import Info\n"
        "if TYPE_CHECKING:\n"
        "    from invoicegraph.store import records\n"
        "def field() -> None:\n"
        "    from sqlalchemy import select\n"
        "    import invoicegraph.demo\n"
    )
    assert violations([_schema_module(source)]) == [
        "invoicegraph/schema/query.py:5 imports invoicegraph.store.records"
        " (schema may not import store)",
        "invoicegraph/schema/query.py:7 imports sqlalchemy (schema may not import sqlalchemy)",
        "invoicegraph/schema/query.py:8 imports invoicegraph.demo,"
        " which is in no layer (add it to the layer table)",
    ]


def test_allowed_imports_are_not_reported() -> None:
    source = (
        "import strawberry\n"
        "from invoicegraph.resolvers.context import Info\n"
        "from invoicegraph.ledger.money import Int96\n"
        "from . import scalars\n"
        "from .invoice import Invoice\n"
    )
    assert violations([_schema_module(source)]) == []


def test_relative_and_deferred_imports_are_resolved() -> None:
    module = parse_module(
        "from . import tables\n"
        "from ..ledger import money\n"
        "from .records import Row\n"
        'Lazy = strawberry.lazy("invoicegraph.schema.invoice")\n',
        name="invoicegraph.store.invoices",
        path="invoicegraph/store/invoices.py",
        known=frozenset({"invoicegraph.store.tables"}),
    )
    assert [(i.line, i.target, i.at_load) for i in module.imports] == [
        (1, "invoicegraph.store.tables", True),
        (2, "invoicegraph.ledger", True),
        (3, "invoicegraph.store.records", True),
        (4, "invoicegraph.schema.invoice", False),
    ]
    assert violations([module]) == [
        "invoicegraph/store/invoices.py:4 imports invoicegraph.schema.invoice"
        " (store may not import schema)"
    ]


def test_a_module_in_no_layer_is_reported() -> None:
    module = parse_module("", name="invoicegraph.reports", path="invoicegraph/reports.py")
    assert violations([module]) == [
        "invoicegraph/reports.py: invoicegraph.reports is in no layer (add it to the layer table)"
    ]


def test_a_cycle_is_reported() -> None:
    modules = [
        parse_module(
            "from invoicegraph.store import b\n",
            name="invoicegraph.store.a",
            path="invoicegraph/store/a.py",
            known=frozenset({"invoicegraph.store.b"}),
        ),
        parse_module(
            "import os\nfrom invoicegraph.store.a import thing\n",
            name="invoicegraph.store.b",
            path="invoicegraph/store/b.py",
        ),
    ]
    assert cycles(modules) == [
        "invoicegraph.store.a -> invoicegraph.store.b -> invoicegraph.store.a\n"
        "    invoicegraph/store/a.py:1 imports invoicegraph.store.b\n"
        "    invoicegraph/store/b.py:2 imports invoicegraph.store.a"
    ]


def test_imports_that_do_not_run_at_load_make_no_cycle() -> None:
    modules = [
        parse_module(
            "from invoicegraph.store.b import thing\n",
            name="invoicegraph.store.a",
            path="invoicegraph/store/a.py",
        ),
        parse_module(
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from invoicegraph.store.a import other\n"
            "def later() -> None:\n"
            "    from invoicegraph.store import a\n",
            name="invoicegraph.store.b",
            path="invoicegraph/store/b.py",
        ),
        # A package importing its own submodules, which import the package: no cycle.
        parse_module(
            "from invoicegraph.store.a import thing\n",
            name="invoicegraph.store",
            path="invoicegraph/store/__init__.py",
            is_package=True,
        ),
    ]
    assert cycles(modules) == []
