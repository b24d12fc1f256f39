"""What the Dask engine sets up in the worker processes of its own LocalCluster.

Imported only by :mod:`postconv.migrate.cluster` (it needs ``distributed``).
"""

from __future__ import annotations

from distributed import WorkerPlugin

from postconv.migrate.work import init_worker


class CtrlCIsTheParents(WorkerPlugin):
    """The LocalCluster's worker processes leave Ctrl-C to the parent, as the local
    engine's do: they are in its process group, so a Ctrl-C at the terminal reaches
    them too, and each would die of it with a traceback. The parent stops feeding
    them, drains and closes the cluster. Registered on the scheduler, the plugin is
    set up on the workers that replace dead ones too."""

    def setup(self, worker: object) -> None:
        init_worker()
