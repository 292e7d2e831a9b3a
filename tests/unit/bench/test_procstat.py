import pytest

from bench.procstat import (
    CpuTotals,
    Memory,
    descendants,
    machine_busy_fraction,
    parse_cpu_totals,
    parse_smaps_rollup,
    parse_stat,
    parse_vmrss_kib,
    ticks_to_ms,
)

# A real line of /proc/<pid>/stat, from a daprd.
DAPRD_STAT = (
    "16125 (daprd-1.18.3) S 16120 16120 16120 0 -1 1077936384 6312 0 4 0 "
    "155 42 0 0 20 0 8 0 123456 1527562240 33211 18446744073709551615 1 1 0 "
    "0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0"
)


def test_stat_line_gives_parent_and_cpu_ticks() -> None:
    stat = parse_stat(DAPRD_STAT)
    assert (stat.pid, stat.comm, stat.state, stat.ppid) == (
        16125,
        "daprd-1.18.3",
        "S",
        16120,
    )
    assert (stat.utime, stat.stime) == (155, 42)
    assert stat.cpu_ticks == 197


def test_command_names_with_spaces_and_parentheses() -> None:
    line = DAPRD_STAT.replace("(daprd-1.18.3)", "(web (worker) 1)")
    stat = parse_stat(line)
    assert stat.comm == "web (worker) 1"
    assert stat.cpu_ticks == 197


def test_a_line_that_is_not_stat_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_stat("no parenthesis here")


def test_ticks_become_milliseconds() -> None:
    assert ticks_to_ms(197, clk_tck=100) == 1970.0


def test_vmrss_from_status() -> None:
    status = "Name:\tdaprd\nVmHWM:\t  132844 kB\nVmRSS:\t  132800 kB\nThreads:\t8\n"
    assert parse_vmrss_kib(status) == 132800
    assert parse_vmrss_kib("Name:\tkthreadd\nThreads:\t1\n") is None


def test_smaps_rollup_separates_shared_from_own_memory() -> None:
    text = (
        "00400000-7ffc6294e000 ---p 00000000 00:00 0    [rollup]\n"
        "Rss:              132844 kB\n"
        "Pss:               47011 kB\n"
        "Pss_Anon:          23932 kB\n"
        "Shared_Clean:     107696 kB\n"
        "Anonymous:         23932 kB\n"
    )
    assert parse_smaps_rollup(text) == Memory(rss=132844, pss=47011, anon=23932)
    assert Memory(1, 2, 3) + Memory(10, 20, 30) == Memory(11, 22, 33)


def test_machine_totals_leave_idle_and_iowait_out_of_busy() -> None:
    text = "cpu  100 5 50 800 40 3 2 0 7 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n"
    # guest (7) is already part of user and must not be counted twice.
    assert parse_cpu_totals(text) == CpuTotals(busy=160, total=1000)


def test_busy_fraction_between_two_readings() -> None:
    before, after = CpuTotals(busy=100, total=1000), CpuTotals(busy=400, total=2000)
    assert machine_busy_fraction(before, after) == 0.3
    assert machine_busy_fraction(before, before) == 0.0


def test_descendants_follow_the_whole_tree() -> None:
    parents = {1: 0, 10: 1, 11: 10, 12: 10, 13: 12, 20: 1}
    assert sorted(descendants(10, parents)) == [10, 11, 12, 13]
    assert descendants(99, parents) == [99]
