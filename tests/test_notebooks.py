"""The notebooks run top to bottom, open with their answer, and the committed copies carry
their outputs, with a code-free HTML edition each.

Each notebook is executed from an in-memory copy (nothing is written back) in a kernel running
this interpreter, with ``NPSSIM_NOTEBOOK_SIZE=small`` so that it runs in seconds.
"""

from __future__ import annotations

import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbclient
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
HTML_DIR = NOTEBOOKS_DIR.parent / "docs" / "notebooks"
NOTEBOOKS = (
    "01_should_we_tie_bonuses_to_nps.ipynb",
    "02_designing_a_safer_policy.ipynb",
    "03_for_researchers.ipynb",
    "04_is_our_nps_gamed.ipynb",
)
#: The first screen of each notebook's leader edition (notebooks/screenshot.py).
SCREENSHOTS = [
    NOTEBOOKS_DIR.parent / "docs" / "img" / f"notebook{name[:2]}_leader.png" for name in NOTEBOOKS
]
#: What a kernel spec's first argument may be for jupyter_client to run it with sys.executable.
_PYTHON_ALIASES = {
    "python",
    "python{}".format(*sys.version_info),
    "python{}.{}".format(*sys.version_info),
}
#: The first code cell prints the size it runs at.
_SIZE_LINE = "Size: {}:"
#: The call whose output is the answer a notebook opens with.
_DECISION = "decision_markdown()"
#: Per notebook that opens otherwise: the call whose output is its answer, and the call that
#: computes it (notebook 04 diagnoses a firm's exports rather than running an experiment).
_ANSWERS = {"04_is_our_nps_gamed.ipynb": ("answer_markdown(diagnosis)", "diagnose(")}
#: At most this many lines in the first cell: a title and a line or two of purpose.
_TITLE_LINES = 6
#: Classes nbconvert gives the parts of a code cell's input (lab and classic templates).
_INPUT_CLASSES = ("jp-InputArea-editor", "jp-InputPrompt", "jp-OutputPrompt", "input_area")


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


@pytest.mark.slow
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


def _answer_call(name: str) -> str:
    return _ANSWERS.get(name, (_DECISION,))[0]


def _decision_cell(notebook: nbformat.NotebookNode, name: str = "") -> int:
    """The index of the one cell that displays the decision."""
    call = _answer_call(name)
    found = [i for i, cell in enumerate(notebook.cells) if call in cell.source]
    assert len(found) == 1, f"one cell should call {call}, found {len(found)}"
    assert notebook.cells[found[0]].cell_type == "code"
    return found[0]


def _decision_output(notebook: nbformat.NotebookNode, name: str = "") -> str:
    """The Markdown the decision cell displayed."""
    outputs = notebook.cells[_decision_cell(notebook, name)].outputs
    return "".join(out.get("data", {}).get("text/markdown", "") for out in outputs)


def _verdict_lines(markdown: str) -> list[str]:
    """The answer's sentences (verdicts and best option), as plain text without emphasis."""
    lines = [line for line in markdown.splitlines() if line.startswith("**")]
    return [" ".join(re.sub(r"[*`]", "", line).split()) for line in lines]


class _Page(HTMLParser):
    """An HTML page's visible text and every element's classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.classes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.classes += [value or "" for key, value in attrs if key == "class"]
        self._hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())


def _page(name: str) -> _Page:
    page = _Page()
    page.feed((HTML_DIR / f"{Path(name).stem}.html").read_text(encoding="utf-8"))
    return page


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_opens_with_its_answer(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    lines = first.source.strip().splitlines()
    assert lines[0].startswith("# "), "the first cell opens with the title"
    assert len(lines) < _TITLE_LINES, "the first cell is a title and a line or two of purpose"
    decision = _decision_cell(notebook, name)
    before = notebook.cells[1:decision]
    assert [cell.cell_type for cell in before] == ["code"] * len(before), (
        "only the set-up and the run come between the title and the answer"
    )
    run = _ANSWERS.get(name, (_DECISION, "run_experiment("))[1]
    assert any(run in cell.source for cell in before)
    answer = _decision_output(notebook, name)
    assert answer.startswith("## The answer")
    assert _verdict_lines(answer), "the answer gives a verdict line"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_html_edition_has_no_code_and_the_committed_answer(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    page = _page(name)
    assert "The answer" in page.text
    assert not [c for c in page.classes if any(part in c for part in _INPUT_CLASSES)]
    for cell in _code_cells(notebook):  # no line of code shows, e.g. the set-up's imports
        code = [line for line in cell.source.splitlines() if line.startswith(("import ", "from "))]
        assert not [line for line in code if line in page.text], "code in the HTML edition"
    assert _answer_call(name) not in page.text
    # As fresh as the notebook: the same verdicts and the same size line.
    verdicts = _verdict_lines(_decision_output(notebook, name))
    assert [line for line in verdicts if line not in page.text] == []
    assert _text(_code_cells(notebook)[0]).strip() in page.text


def test_html_editions_load_nothing_from_the_network():
    for name in NOTEBOOKS:
        html = (HTML_DIR / f"{Path(name).stem}.html").read_text(encoding="utf-8")
        assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html) == []
        assert re.findall(r"""import\s*\(?\s*["']https?://""", html) == []


@pytest.mark.parametrize("screenshot", SCREENSHOTS, ids=lambda path: path.stem)
def test_leader_screenshot_is_one_laptop_screen(screenshot):
    from PIL import Image

    with Image.open(screenshot) as image:
        assert image.size == (1280, 800)
