"""A Dask LocalCluster on 127.0.0.1 with two worker processes, for the live tier.

Run with the Python of ``.engines/dask`` (``.ci/install-engines``). Prints the
scheduler's address on one line, then serves until its stdin closes.
"""

from __future__ import annotations

import sys

from distributed import LocalCluster


def main() -> None:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=None,
    ) as cluster:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the test closes the pipe


if __name__ == "__main__":  # the worker processes import this module again
    main()
