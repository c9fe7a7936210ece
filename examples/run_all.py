"""Start a mock server and run every example against it.

This is the project's main job: ``python examples/run_all.py`` exits non-zero
if any example fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from aiaas_mock import MockServer

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    failed = []
    with MockServer() as server:
        print(f"mock server on {server.base_url}\n")
        env = {**os.environ, "AIAAS_BASE_URL": server.base_url, "AIAAS_API_KEY": server.api_key}
        for script in scripts:
            print(f"== {script.name}")
            started = time.perf_counter()
            result = subprocess.run([sys.executable, str(script)], env=env, check=False)
            took = time.perf_counter() - started
            print(
                f"-- {script.name}: {'ok' if result.returncode == 0 else 'FAILED'} "
                f"in {took:.1f} s\n"
            )
            if result.returncode != 0:
                failed.append(script.name)
    if failed:
        print(f"{len(failed)} example(s) failed: {', '.join(failed)}")
        return 1
    print(f"all {len(scripts)} examples passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
