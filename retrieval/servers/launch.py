"""Runs a Python module as a supervised child: ``python -m retrieval.servers.launch MODULE [ARGS...]``.

The child asks the kernel for SIGTERM when the thread that started it ends (``die_with_parent``), then runs MODULE as
``__main__``. Doing this here rather than in a ``preexec_fn`` lets Python spawn without a plain fork(), which
libraries with threads of their own (gRPC) warn about and which can deadlock between fork and exec.
"""

from __future__ import annotations

import os
import runpy
import sys

from retrieval.servers.supervisor import SUPERVISOR_PID, die_with_parent


def main() -> None:
    die_with_parent()
    started_by = int(os.environ.get(SUPERVISOR_PID, "0"))
    if started_by and os.getppid() != started_by:
        sys.exit(0)  # the supervisor was gone before the signal was armed
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
