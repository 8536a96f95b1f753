"""Executes one notebook through a Jupyter kernel (nbclient) and reports JSON on stdout.

Used by scripts/run-notebooks.mjs. The executed copy is written even when a cell fails, so the
error is visible in it. Usage: execute_notebook.py SRC OUT --kernel tslab --timeout 600
"""
import argparse
import json
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def cell_error_text(cell):
    """The failing cell's own error output; tslab's compile errors arrive with an empty ename."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}".strip())
            parts.extend(out.get("traceback", [])[:20])
        elif out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", "")[-3000:])
    return "\n".join(p for p in parts if p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--cwd", required=True)
    args = ap.parse_args()

    nb = nbformat.read(args.src, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        resources={"metadata": {"path": args.cwd}},
        record_timing=True,
    )
    start = time.time()
    result = {"cells": len(code_cells), "executed": 0, "status": "pass", "error": None}
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        result["status"] = "fail"
        failing = next((c for c in code_cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        if failing is None:
            failing = next((c for c in reversed(code_cells) if c.get("execution_count")), None)
        index = code_cells.index(failing) + 1 if failing is not None else "?"
        detail = cell_error_text(failing) if failing is not None else ""
        kind = "timed out" if isinstance(err, CellTimeoutError) else "kernel died" if isinstance(err, DeadKernelError) else "raised an error"
        source = failing.source if failing is not None else ""
        result["error"] = f"code cell {index} {kind}:\n--- cell source ---\n{source}\n--- output ---\n{detail or str(err)[-3000:]}"
    result["executed"] = sum(1 for c in code_cells if c.get("execution_count"))
    result["seconds"] = round(time.time() - start, 1)
    nbformat.write(nb, args.out)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
