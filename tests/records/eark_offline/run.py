"""Run the official E-ARK validator (eark-validator, in its own venv `.venv-eark`) with no network.

eark-validator 1.1.3 downloads four CSIP vocabularies from earkcsip.dilcis.eu when it is
imported, although the same files ship inside the package (`ipxml/resources/vocabs`). This
runner answers those four URLs from the bundled copies, refuses any other URL, and then runs
the validator's own command line unchanged: `.venv-eark/bin/python run.py [eark-validator args]`.
Written for vanban (not part of eark-validator); it never imports vanban.
"""

from __future__ import annotations

import io
import sys
import urllib.request
from importlib import resources
from typing import Any

PREFIX = "https://earkcsip.dilcis.eu/schema/"


def _bundled(url: str, *args: Any, **kwargs: Any) -> io.BytesIO:
    name = str(url)
    if not name.startswith(PREFIX) or "/" in name[len(PREFIX):]:
        raise OSError(f"offline run: refusing to fetch {name}")
    data = resources.files("eark_validator.ipxml.resources.vocabs").joinpath(name[len(PREFIX):]).read_bytes()
    return io.BytesIO(data)


urllib.request.urlopen = _bundled  # before eark_validator imports it

from eark_validator.cli.app import main  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "eark-validator"
    main()
