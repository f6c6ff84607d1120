#!/usr/bin/env python3
"""Executes Jupyter notebooks top to bottom without a Jupyter server, so the test command can
check that they still run. Code cells share one namespace, as in a kernel; `!` shell lines and
`%` magics are not supported (the notebooks do not use them). Exits non-zero on the first
failing cell, naming the notebook and the cell."""
import json
import os
import sys
import traceback


def run(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    namespace = {"__name__": "__main__", "__file__": os.path.abspath(path)}
    os.chdir(os.path.dirname(os.path.abspath(path)))
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            exec(compile(source, f"{path}#cell{i}", "exec"), namespace)
        except Exception:
            traceback.print_exc()
            sys.exit(f"notebook {path}: cell {i} failed")
    print(f"notebook {path}: all cells ran")


if __name__ == "__main__":
    start = os.getcwd()
    for p in sys.argv[1:]:
        os.chdir(start)
        run(p)
