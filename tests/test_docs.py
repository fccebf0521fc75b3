"""Every command and option of the CLI is documented in the README."""

from __future__ import annotations

import click

from newsloom.cli import cli

from .conftest import ROOT


def commands(group: click.Group, prefix=""):
    for name, command in group.commands.items():
        yield prefix + name, command
        if isinstance(command, click.Group):
            yield from commands(command, prefix + name + " ")


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name, command in commands(cli):
        assert f"newsloom {name}" in readme, f"README does not document 'newsloom {name}'"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in readme, f"README does not document {opt} of 'newsloom {name}'"
