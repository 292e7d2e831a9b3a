"""CPU time and memory of processes, read from /proc.

The parsers are pure (text in, numbers out) and unit-tested; `Meter` reads the
live files. CPU time is utime+stime of `/proc/<pid>/stat` (all threads of the
process), summed over the process and its descendants (an app that forks
workers is charged for them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcStat:
    pid: int
    comm: str
    state: str
    ppid: int
    utime: int  # clock ticks
    stime: int

    @property
    def cpu_ticks(self) -> int:
        return self.utime + self.stime


def parse_stat(text: str) -> ProcStat:
    """One `/proc/<pid>/stat` line. The command name may hold spaces and ')'."""
    head, sep, rest = text.rpartition(")")
    if not sep:
        raise ValueError("not a /proc/<pid>/stat line")
    pid, _, comm = head.partition(" (")
    fields = rest.split()
    # fields[0] is field 3 of proc(5): state; ppid is 4, utime 14, stime 15.
    return ProcStat(
        pid=int(pid),
        comm=comm,
        state=fields[0],
        ppid=int(fields[1]),
        utime=int(fields[11]),
        stime=int(fields[12]),
    )


def parse_vmrss_kib(status_text: str) -> int | None:
    """VmRSS of `/proc/<pid>/status`, in KiB (None for a kernel thread/zombie)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


@dataclass(frozen=True)
class Memory:
    """Resident memory of a process, in KiB.

    `rss` counts every mapped page once per process, so the pages of a binary
    that five sidecars share appear in all five; `pss` divides shared pages
    among their sharers; `anon` is the process's own (heap, stacks).
    """

    rss: int
    pss: int
    anon: int

    def __add__(self, other: Memory) -> Memory:
        return Memory(
            self.rss + other.rss, self.pss + other.pss, self.anon + other.anon
        )


def parse_smaps_rollup(text: str) -> Memory:
    """`/proc/<pid>/smaps_rollup`: Rss, Pss and Anonymous, in KiB."""
    fields = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0])
    return Memory(
        fields.get("Rss", 0), fields.get("Pss", 0), fields.get("Anonymous", 0)
    )


@dataclass(frozen=True)
class CpuTotals:
    """The machine's aggregate `cpu` line of /proc/stat, in clock ticks."""

    busy: int
    total: int


def parse_cpu_totals(proc_stat_text: str) -> CpuTotals:
    for line in proc_stat_text.splitlines():
        if line.startswith("cpu "):
            # user nice system idle iowait irq softirq steal [guest guest_nice];
            # guest time is already counted in user, so it is left out.
            values = [int(v) for v in line.split()[1:9]]
            idle = values[3] + values[4]
            total = sum(values)
            return CpuTotals(busy=total - idle, total=total)
    raise ValueError("no aggregate cpu line")


def machine_busy_fraction(before: CpuTotals, after: CpuTotals) -> float:
    """Share of all CPUs busy between two readings (0..1)."""
    total = after.total - before.total
    return (after.busy - before.busy) / total if total > 0 else 0.0


def descendants(root: int, parents: Mapping[int, int]) -> list[int]:
    """`root` and every process below it, given pid -> parent pid."""
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def ticks_to_ms(ticks: float, clk_tck: int = CLK_TCK) -> float:
    return ticks * 1000.0 / clk_tck


# --- live readings -----------------------------------------------------------


def read_stat(pid: int) -> ProcStat | None:
    try:
        return parse_stat((PROC / str(pid) / "stat").read_text())
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None


def rss_kib(pid: int) -> int | None:
    try:
        return parse_vmrss_kib((PROC / str(pid) / "status").read_text())
    except (FileNotFoundError, ProcessLookupError):
        return None


def memory_kib(pid: int) -> Memory | None:
    try:
        return parse_smaps_rollup((PROC / str(pid) / "smaps_rollup").read_text())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def cpu_totals() -> CpuTotals:
    return parse_cpu_totals((PROC / "stat").read_text())


def parent_table() -> dict[int, int]:
    table = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = read_stat(int(entry.name))
            if stat:
                table[stat.pid] = stat.ppid
    return table


class Meter:
    """CPU milliseconds of named process groups (each: root pids + descendants)."""

    def __init__(self, groups: Mapping[str, Iterable[int]]) -> None:
        self.groups = {name: list(pids) for name, pids in groups.items()}

    def pids(self) -> dict[str, list[int]]:
        parents = parent_table()
        return {
            name: sorted({p for root in roots for p in descendants(root, parents)})
            for name, roots in self.groups.items()
        }

    def cpu_ms(self) -> dict[str, float]:
        out = {}
        for name, pids in self.pids().items():
            ticks = sum(s.cpu_ticks for s in map(read_stat, pids) if s is not None)
            out[name] = ticks_to_ms(ticks)
        return out

    def rss_mib(self) -> dict[str, float]:
        """VmRSS of each group (of /proc/<pid>/status), in MiB."""
        out = {}
        for name, pids in self.pids().items():
            kib = sum(r for r in map(rss_kib, pids) if r is not None)
            out[name] = kib / 1024
        return out

    def memory(self) -> dict[str, Memory]:
        """Rss, Pss and anonymous memory of each group, in KiB."""
        out = {}
        for name, pids in self.pids().items():
            total = Memory(0, 0, 0)
            for memory in map(memory_kib, pids):
                if memory is not None:
                    total = total + memory
            out[name] = total
        return out


def delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    return {name: after[name] - before.get(name, 0.0) for name in after}
