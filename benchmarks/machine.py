"""The machine a benchmark ran on, for the line every benchmark prints above its figures."""

from __future__ import annotations

import os
from pathlib import Path

FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")


def cpu_line(path: Path = Path("/proc/cpuinfo")) -> str:
    """`CPU: <model>, <n> cores usable; avx2 yes, avx512f no, …` from /proc/cpuinfo (Linux)."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return "CPU: unknown (no /proc/cpuinfo)"
    first: dict[str, str] = {}  # the first processor's fields; all processors are alike
    for line in lines:
        key, _, value = line.partition(":")
        first.setdefault(key.strip(), value.strip())
    flags = set(first.get("flags", "").split())
    marks = ", ".join(f"{flag} {'yes' if flag in flags else 'no'}" for flag in FLAGS)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"CPU: {first.get('model name', 'unknown')}, {usable} cores usable; {marks}"
