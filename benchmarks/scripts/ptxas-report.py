#!/usr/bin/env python3
"""Summarises the ptxas resource usage the cuda-kernels build saves (cuda-kernels/target/nvcc-resource-usage.txt,
from nvcc -Xptxas -v): one row per kernel and architecture with registers, spill stores/loads, stack and static
shared memory, and a line saying whether any kernel spills. Usage: ptxas-report.py [usage.txt] > report.txt"""
import re
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "cuda-kernels/target/nvcc-resource-usage.txt"
rows, fn, arch, stack, spills = [], None, None, (0, 0, 0), None
for line in open(path):
    m = re.search(r"Compiling entry function '(\w+)' for '(\w+)'", line)
    if m:
        fn, arch = m.groups()
        continue
    m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
    if m and fn:
        stack = tuple(int(g) for g in m.groups())
        continue
    m = re.search(r"Used (\d+) registers", line)
    if m and fn:
        smem = re.search(r"(\d+) bytes smem", line)
        rows.append((fn, arch, int(m.group(1)), stack[1], stack[2], stack[0], int(smem.group(1)) if smem else 0))
        fn = None
spilling = [r for r in rows if r[3] or r[4]]
print(f"# ptxas resource usage: {len(rows)} kernel builds, {len(spilling)} with spills")
print(f"{'kernel':24} {'arch':6} {'regs':>4} {'spill st':>8} {'spill ld':>8} {'stack':>5} {'smem':>6}")
for r in sorted(rows):
    print(f"{r[0]:24} {r[1]:6} {r[2]:4d} {r[3]:8d} {r[4]:8d} {r[5]:5d} {r[6]:6d}")
