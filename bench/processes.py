"""Servers the benchmarks start in a session of their own, and stop with everything they run."""

import os
import signal
import subprocess


def stop_process_group(process: "subprocess.Popen[bytes]") -> None:
    """SIGTERM to the process's own group (it was started with start_new_session), SIGKILL if
    it has not ended 15 s later."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
