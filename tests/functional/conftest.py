"""Whole-flow tests reuse the command tests' small world."""

from tests.commands.conftest import world  # noqa: F401 (a fixture, found by name)
