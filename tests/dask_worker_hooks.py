"""A Dask preload for tests: posts that misbehave on the workers of a real cluster.

Dask workers are spawned processes, so the tests cannot wrap the core in the
parent as they do for the local engine's forked workers; a test names this file
in ``distributed.worker.preload`` (``dask.config.set``, or the environment
variable ``DASK_DISTRIBUTED__WORKER__PRELOAD`` for a command), and each worker
process, the ones that replace dead workers too, runs :func:`dask_setup`:

- a post whose text holds ``DIE`` kills its worker process (SIGKILL), every time;
- a post whose text holds ``HANG`` sleeps ten minutes (in Python code);
- ``POSTCONV_TEST_WORKER_VERSION`` in the environment is the worker's
  ``postconv.__version__``, as if another version were installed there.
"""

from __future__ import annotations

import os
import signal
import time

import postconv
import postconv.migrate.work


def dask_setup(worker: object) -> None:
    convert = postconv.migrate.work.convert

    def core(text: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if "DIE" in text:
            os.kill(os.getpid(), signal.SIGKILL)
        if "HANG" in text:
            time.sleep(600)
        return convert(text, *args, **kwargs)

    postconv.migrate.work.convert = core  # type: ignore[assignment]
    version = os.environ.get("POSTCONV_TEST_WORKER_VERSION")
    if version:
        postconv.__version__ = version
