"""The `vanban` command.

Pure sub-commands (`edxml`, `pki`) run without Django so they start fast and work
on any file; everything else is a Django management command (`vanban migrate`,
`vanban agencies import …`, `vanban audit verify`, `vanban worker`, `vanban serve`).
"""

from __future__ import annotations

import importlib
import os
import sys

# name -> "module:function"; each function takes argv (list[str]) and returns an exit code.
PURE_COMMANDS: dict[str, str] = {
    "edxml": "vanban.edxml.cli:main",
    "pki": "vanban.pki.cli:main",
    "signer": "vanban.pki.agent_cli:main",
    "text": "vanban.textract.cli:main",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in PURE_COMMANDS:
        return _run_pure(PURE_COMMANDS[args[0]], args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - the pure sub-commands run without Django

    execute_from_command_line(["vanban", *args])
    return 0


def _run_pure(target: str, args: list[str]) -> int:
    module_name, func_name = target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
