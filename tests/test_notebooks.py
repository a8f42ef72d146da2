"""The notebooks run top to bottom, and the committed copies carry their outputs.

Each notebook is executed from an in-memory copy (nothing is written back) in a kernel running
this interpreter, with ``NPSSIM_NOTEBOOK_SIZE=small`` so that it runs in seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = (
    "01_should_we_tie_bonuses_to_nps.ipynb",
    "02_designing_a_safer_policy.ipynb",
    "03_for_researchers.ipynb",
)
#: What a kernel spec's first argument may be for jupyter_client to run it with sys.executable.
_PYTHON_ALIASES = {
    "python",
    "python{}".format(*sys.version_info),
    "python{}.{}".format(*sys.version_info),
}
#: The first code cell prints the size it runs at.
_SIZE_LINE = "Size: {}:"


class _ThisInterpreterSpecs(KernelSpecManager):
    """Kernel specs whose every kernel is ipykernel on the interpreter running the tests."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python {sys.version_info[0]} (tests)",
            language="python",
        )


def _kernel_manager() -> KernelManager:
    """A kernel manager for the ``python3`` kernel, run by this interpreter (the project venv)."""
    manager = KernelManager(kernel_name="python3")
    program = manager.kernel_spec.argv[0]
    if program in _PYTHON_ALIASES or Path(program) == Path(sys.executable):
        return manager  # jupyter_client runs these with sys.executable
    return KernelManager(kernel_name="python3", kernel_spec_manager=_ThisInterpreterSpecs())


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*")}


def _code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _text(cell: nbformat.NotebookNode) -> str:
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


def _has_png(notebook: nbformat.NotebookNode) -> bool:
    return any(
        "image/png" in out.get("data", {}) for cell in _code_cells(notebook) for out in cell.outputs
    )


def test_every_notebook_is_tested():
    assert sorted(path.name for path in NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    for cell in _code_cells(notebook):
        cell.outputs, cell.execution_count = [], None
    # A first cell that reports where the kernel runs: it must be this interpreter's environment.
    notebook.cells.insert(0, nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)"))
    before = _snapshot(NOTEBOOKS_DIR)

    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        km=_kernel_manager(),
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    # The test made the kernel manager, so nbclient shuts the kernel down only when asked to.
    client.execute(cleanup_kc=True, env={**os.environ, "NPSSIM_NOTEBOOK_SIZE": "small"})

    cells = _code_cells(notebook)
    assert _text(cells[0]).strip() == sys.prefix
    assert _SIZE_LINE.format("small") in _text(cells[1])
    assert all(cell.execution_count is not None for cell in cells)
    errors = [out for cell in cells for out in cell.outputs if out.output_type == "error"]
    assert errors == []
    assert _has_png(notebook)
    assert _snapshot(NOTEBOOKS_DIR) == before, "executing a notebook wrote into notebooks/"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_carries_its_full_size_outputs(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    nbformat.validate(notebook)
    cells = _code_cells(notebook)
    assert cells, "a notebook without code"
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), "run top to bottom once, in order"
    outputs = [out for cell in cells for out in cell.outputs]
    assert [out for out in outputs if out.output_type == "error"] == []
    assert [out for out in outputs if out.get("name") == "stderr"] == [], "stderr in outputs"
    assert _has_png(notebook)
    assert _SIZE_LINE.format("full") in _text(cells[0]), "committed copies are run at full size"
    assert notebook.metadata["kernelspec"]["name"] == "python3"
