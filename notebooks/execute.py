"""Re-run the notebooks at full size and save them with their outputs.

Run it after changing the model, the figures or a notebook, so the committed copies read well
without running (the tests check that they were run at full size, in order, without errors)::

    .venv/bin/python notebooks/execute.py            # every notebook
    .venv/bin/python notebooks/execute.py 02_designing_a_safer_policy.ipynb

A notebook that fails is left as it was, and the script exits 1.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbclient
import nbformat

FOLDER = Path(__file__).resolve().parent


def tidy(notebook: nbformat.NotebookNode) -> None:
    """Drop what only a live kernel can use: Solara's JavaScript probe and widget state."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [
            output
            for output in cell.outputs
            if "application/javascript" not in output.get("data", {})
            or set(output["data"]) - {"application/javascript", "text/plain"}
        ]
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)


def execute(path: Path) -> bool:
    """Run one notebook at full size; save it in place when it ran without errors."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    client = nbclient.NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(FOLDER)}},
    )
    try:
        client.execute(env={**os.environ, "NPSSIM_NOTEBOOK_SIZE": "full"})
    except nbclient.exceptions.CellExecutionError as err:
        print(f"{path.name}: failed, left unchanged\n{err}", file=sys.stderr)
        return False
    tidy(notebook)
    temporary = path.with_suffix(".ipynb.tmp")
    nbformat.write(notebook, temporary)
    temporary.replace(path)
    print(f"{path.name}: {time.perf_counter() - started:.0f} s")
    return True


def main(names: list[str]) -> int:
    """Execute the named notebooks (all of them by default); 1 if any failed."""
    paths = [FOLDER / name for name in names] or sorted(FOLDER.glob("*.ipynb"))
    results = [execute(path) for path in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
