"""The command line that would test what a check left untested: the check's own target and options,
plus what exercises the rest (``--allow-writes``, ``--auth-env``, a ``--config`` file, a longer
``--timeout``).

A report is shared (a CI log, a pull request), so the line never carries a credential: every
``--env`` and ``--header`` value, a URL's password and its query values are ``...`` placeholders,
to be filled in from wherever the check took them.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wireproof.check.client import Target
from wireproof.check.config import CheckOptions

__all__ = ["HIDDEN", "NAME", "Rerun", "rerun_command"]

HIDDEN: Final = "..."
"""What a value the report must not show is replaced by."""
NAME: Final = "NAME"
"""The variable to name when the check was given none: the one that holds the server's credential."""
CONFIG_FILE: Final = Path("wireproof.toml")
_DEFAULTS: Final = CheckOptions()


@dataclass(frozen=True, slots=True)
class Rerun:
    """What a rerun adds to the check's own command line.

    allow_writes (bool): also call the write tools (``--allow-writes``).
    auth_env (tuple[str, ...]): variables to try unset and garbage (``--auth-env``); one the server
        was not given gets ``--env NAME=...`` too.
    credential (bool): give the server a credential (``--env NAME=...``) when it was given no variable.
    config (bool): name a ``--config`` file (sample arguments, observers, auth cases).
    timeout (float | None): a longer ``--timeout``.
    """

    allow_writes: bool = False
    auth_env: tuple[str, ...] = ()
    credential: bool = False
    config: bool = False
    timeout: float | None = None

    def __or__(self, other: Rerun) -> Rerun:
        """Both reruns' additions in one."""
        timeouts = [t for t in (self.timeout, other.timeout) if t is not None]
        return Rerun(
            allow_writes=self.allow_writes or other.allow_writes,
            auth_env=tuple(dict.fromkeys(self.auth_env + other.auth_env)),
            credential=self.credential or other.credential,
            config=self.config or other.config,
            timeout=max(timeouts) if timeouts else None,
        )


def _url(url: str) -> str:
    """``url`` without its password and query values (a token in ``?key=`` is still a token)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}{':' + HIDDEN if ':' in user else ''}@{host}"
    query = urlencode([(key, HIDDEN) for key, _ in parse_qsl(parts.query, keep_blank_values=True)], safe=".")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def rerun_command(target: Target, options: CheckOptions, rerun: Rerun) -> str | None:
    """The ``wireproof check`` line, quoted for a POSIX shell, that reruns the check with ``rerun``'s
    additions; None for an in-process server, which no command line reaches."""
    if target.server is not None:
        return None
    args = ["wireproof", "check"]
    if options.allow_writes or rerun.allow_writes:
        args.append("--allow-writes")
    for tool in sorted(options.only_tools):
        args += ["--tool", tool]
    timeout = max(options.timeout, rerun.timeout or 0)
    if timeout != _DEFAULTS.timeout:
        args += ["--timeout", f"{timeout:g}"]
    if options.concurrency != _DEFAULTS.concurrency:
        args += ["--concurrency", str(options.concurrency)]
    config = options.config_file or (CONFIG_FILE if rerun.config else None)
    if config is not None:
        args += ["--config", str(config)]
    if target.mode == "legacy":
        args.append("--legacy")
    if target.url is not None:
        for header in target.headers:
            args += ["--header", f"{header}: {HIDDEN}"]
        return shlex.join([*args, _url(target.url)])
    auth_env = tuple(dict.fromkeys(options.auth_env + rerun.auth_env))
    env = list(target.env)
    env += [name for name in auth_env if name not in env]
    if rerun.credential and not env:
        env.append(NAME)
    for name in env:
        args += ["--env", f"{name}={HIDDEN}"]
    for name in auth_env:
        args += ["--auth-env", name]
    line = shlex.join([*args, "--", *target.command])
    # An mcpServers entry's working folder has no option of its own: the shell goes there first.
    return f"cd {shlex.quote(target.cwd)} && {line}" if target.cwd else line
