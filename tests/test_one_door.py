"""Taxpayer tables are queried only in ``idrs.store``, and only the doors call those queries.

A static check over the source: a new module that reads taxpayer data without the gate fails
here until it either goes through ``idrs.gate``/``idrs.jobs`` or is added below with a reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "idrs"

# store modules whose functions read or write taxpayer, module, return or staff rows
DATA_MODULES = {
    "idrs.store.tables",
    "idrs.store.taxpayers",
    "idrs.store.lookup",
    "idrs.store.access_facts",
    "idrs.store.population",
    "idrs.store.governance",
    "idrs.store.taxpayer_facts",
    "idrs.store.summary",
    "idrs.store.meta",
    "idrs.store.accounts",
    "idrs.store.work",
    "idrs.store.returns_read",
    "idrs.store.posting",
}

# who may call them, and why
ALLOWED = {
    "idrs.gate": "the online door itself",
    "idrs.jobs": "the batch door itself",
    "idrs.access._service": "governance: resolves TINs and checks conflicts, audited per change",
    "idrs.access.governance": "governance: grants and cases, audited per change",
    "idrs.access.agreements": "governance: agreements and details, audited per change",
    "idrs.access.demo": "demo set-up: unit and staff profiles; grants go through governance",
    "idrs.auth": "sign-on and staff administration: staff rows only, audited per change",
    "idrs.access.slice": "assembles a decision's facts for the gate and oversight queries",
    "idrs.access.oversight": "who can, what can, explain: role-checked and audited",
    "idrs.cli.db": "row counts and the keyring fingerprint for status; no taxpayer data leaves",
    "idrs.cli.synth": "starts the generator",
    "idrs.cli.access": "resolves a username to a staff id for governance commands",
    "idrs.cli.auth": "shows the signed-on user's employee number and unit",
    "idrs.terminal.host": "shows the signed-on user's employee number and unit at SINON",
    "idrs.synth": "writes the synthetic population; each run is audited",
    "idrs.commands": "command codes run only as the runner handed to Gate.request (checked below)",
    "idrs.posting": "the posting cycle: every stage runs as a batch of idrs.jobs.JobRunner",
}
TAXPAYER_TABLES = (
    "taxpayers", "addresses", "taxpayer_links", "authorizations", "bank_accounts",
    "tax_modules", "posted_transactions", "pending_transactions", "filed_returns",
    "return_lines", "information_returns",
)  # fmt: skip


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out[name] = ast.parse(path.read_text(), str(path))
    return out


def _imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _touches(imports: set[str]) -> set[str]:
    return {i for i in imports for d in DATA_MODULES if i == d or i.startswith(d + ".")}


TAXPAYER_TABLE_MODULES = ("idrs.store.tables.taxpayers", "idrs.store.tables.modules",
                          "idrs.store.tables.returns")  # fmt: skip


def test_taxpayer_tables_are_imported_only_in_store() -> None:
    offenders = {
        name: sorted(i for i in _imports(tree) if i.startswith(TAXPAYER_TABLE_MODULES))
        for name, tree in _modules().items()
        if not name.startswith("idrs.store")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_doors_call_store_queries() -> None:
    callers = {
        name: sorted(_touches(_imports(tree)))
        for name, tree in _modules().items()
        if not name.startswith("idrs.store")
    }
    unexpected = {
        name: used
        for name, used in callers.items()
        if used and not any(name == a or name.startswith(a + ".") for a in ALLOWED)
    }
    assert unexpected == {}


def test_no_raw_sql_on_taxpayer_tables_outside_store() -> None:
    pattern = re.compile(
        r"\b(FROM|JOIN|INTO|UPDATE)\s+(" + "|".join(TAXPAYER_TABLES) + r")\b", re.IGNORECASE
    )
    hits = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "store" not in path.relative_to(SRC).parts and pattern.search(path.read_text())
    ]
    assert hits == []


def test_the_check_itself_sees_the_door() -> None:
    """Guard against a vacuous pass: the gate must be seen using store queries."""
    used = _touches(_imports(_modules()["idrs.gate"]))
    assert "idrs.store.access_facts" in used and "idrs.store.lookup" in used


def test_command_codes_run_only_inside_the_gate() -> None:
    """``Spec.run`` is called in one place: the runner closure passed to ``Gate.request``."""
    calls: list[tuple[str, str]] = []

    class Finder(ast.NodeVisitor):
        def __init__(self, module: str) -> None:
            self.module, self.stack = module, ["<module>"]

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            self.stack.append(node.name)
            self.generic_visit(node)
            self.stack.pop()

        def visit_Call(self, node: ast.Call) -> None:
            f = node.func
            named = isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
            if named and f.attr == "run" and f.value.id == "spec":  # type: ignore[attr-defined]
                calls.append((self.module, self.stack[-1]))
            self.generic_visit(node)

    for name, tree in _modules().items():
        if name.startswith("idrs.commands"):
            Finder(name).visit(tree)
    assert calls == [("idrs.commands.run", "runner")]
    source = (SRC / "commands" / "run.py").read_text()
    assert "self.gate.request(self.session, spec.code, subject, purpose, runner)" in source
