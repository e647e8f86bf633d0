"""The command catalogue: for every command code, read or write, the data categories its output
carries, and which grant kinds may permit it. A data file so reviewers read one table."""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from idrs.access.facts import Access, Command, GrantKind
from idrs.errors import InvalidInput


@cache
def catalogue() -> dict[str, Command]:
    text = files("idrs.access").joinpath("commands.csv").read_text()
    out: dict[str, Command] = {}
    for row in csv.DictReader(text.splitlines()):
        out[row["code"]] = Command(
            code=row["code"],
            access=Access(row["access"]),
            categories=frozenset(row["categories"].split()),
            grant_kinds=frozenset(GrantKind(k) for k in row["grant_kinds"].split()),
            name_search=row["name_search"] == "yes",
            needs_approval=row["needs_approval"] == "yes",
            description=row["description"],
        )
    return out


def command(code: str) -> Command:
    found = catalogue().get(code.strip().upper())
    if found is None:
        raise InvalidInput("command code", "not a command code this system knows", code)
    return found
