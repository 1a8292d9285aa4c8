"""Serve Ralph's learning record store (``ralph.api:app``) with its file-system backend, for the
tests; run with tests/e2e/lrs/.venv/bin/python: ``serve.py HOST PORT``. Configuration comes from
the environment, as for ``ralph runserver -b fs`` (``RALPH_RUNSERVER_BACKEND=fs``,
``RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH``, ``RALPH_AUTH_FILE``).

Two differences from ``ralph runserver -b fs``: no reloader watching the working directory, and
the store appends to its file: Ralph 5.1.0's file-system store creates ``fs_lrs.jsonl`` on the
first POST and refuses every later one ("already exists and overwrite is not allowed"). The rest
(validation, authentication, dedupe by id, 409 on a differing statement) is Ralph's own code.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="warning")
