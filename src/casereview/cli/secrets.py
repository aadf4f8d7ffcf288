"""Where a bundle's protection comes from: age public keys, an identity file, a passphrase.

A passphrase is never an argument (it would sit in the shell's history and the process
list): it is asked at the terminal, or read from a file or standard input when a script
says so. Without a terminal and without a source, the command refuses at once (exit 2)
rather than wait for input nobody will give.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from casereview.core.problems import CasereviewError

F = Callable[..., Any]


class NoSecret(CasereviewError):
    """No recipient, identity or passphrase where one is needed. Exit status 2."""

    exit_status = 2


def passphrase_options(fn: F) -> F:
    fn = click.option(
        "--passphrase-stdin",
        is_flag=True,
        help="Read the passphrase from the first line of standard input (for scripts).",
    )(fn)
    return click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Read the passphrase from the first line of this file (for scripts).",
    )(fn)


def is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def given_passphrase(file: Path | None, stdin: bool) -> str | None:
    """The passphrase a script gave (file or standard input); None when it gave none."""
    if file is not None and stdin:
        raise click.UsageError("give --passphrase-file or --passphrase-stdin, not both")
    if file is not None:
        try:
            lines = file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise NoSecret(f"{file}: the passphrase cannot be read ({exc})") from None
        return _checked(lines[0] if lines else "", str(file))
    if stdin:
        return _checked(sys.stdin.readline().rstrip("\r\n"), "standard input")
    return None


def _checked(passphrase: str, where: str) -> str:
    if not passphrase:
        raise NoSecret(f"the passphrase from {where} is empty")
    return passphrase


def asked_passphrase(confirm: bool, refusal: str) -> str:
    """The passphrase typed at the terminal (twice when `confirm`); NoSecret at once when
    there is no terminal to ask at."""
    if not is_terminal():
        raise NoSecret(refusal)
    typed = str(click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True))
    return _checked(typed, "the terminal")
