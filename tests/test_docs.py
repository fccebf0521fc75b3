"""Every command and option of the CLI is documented in the README, the README documents no
other, and the installed ``newsloom`` command is this CLI."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

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


def test_the_readme_documents_no_command_that_is_not_there():
    readme = (ROOT / "README.md").read_text()
    known = {name for name, command in commands(cli)  # a group only of subcommands ('export') is no command
             if not isinstance(command, click.Group) or command.invoke_without_command}
    documented = {" ".join(w for w in row.split() if w.islower())
                  for row in re.findall(r"^\| `newsloom ([^`]*)`", readme, flags=re.M)}
    assert documented == known, f"only in the README: {documented - known}; only in the CLI: {known - documented}"


def test_the_console_script_is_the_cli(tmp_path):
    """``newsloom`` as pyproject installs it: ``cli.main``, run in its own process, answers
    every command the README documents."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"newsloom": "newsloom.cli:main"}
    run = [sys.executable, "-c", "from newsloom.cli import main; main()"]
    listed = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True).stdout
    assert listed.startswith("Usage: newsloom ")
    for name, _ in commands(cli):
        if " " not in name:
            assert f"  {name} " in listed, f"'newsloom --help' does not list {name}"
    missing = subprocess.run([*run, "--db", str(tmp_path / "n.db"), "story", "7"], capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("error: [E300] no story with id 7")
