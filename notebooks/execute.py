"""Re-run the notebooks at full size, save them with their outputs, and write their HTML editions.

Run it after changing the model, the figures or a notebook, so the committed copies read well
without running (the tests check that they were run at full size, in order, without errors)::

    .venv/bin/python notebooks/execute.py            # every notebook
    .venv/bin/python notebooks/execute.py 02_designing_a_safer_policy.ipynb
    .venv/bin/python notebooks/execute.py --html-only  # the HTML editions alone, no re-run

Each notebook that ran is also written as a code-free HTML edition for leaders,
``docs/notebooks/<stem>.html``: outputs only (figures embedded), with no input cells or
prompts. It uses nbconvert's ``lab`` template without its three scripts from a CDN (MathJax,
require.js, Mermaid), which none of these notebooks needs: the page loads nothing from the
network, so it reads offline. ``--html-only`` rewrites the HTML editions from the committed
notebooks as they are. A notebook that fails is left as it was, and the script exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jinja2
import nbclient
import nbformat
from nbconvert import HTMLExporter

from npssim.files import atomic_path

FOLDER = Path(__file__).resolve().parent
HTML_FOLDER = FOLDER.parent / "docs" / "notebooks"
#: nbconvert's lab template, less the scripts it would fetch from a CDN when the page opens.
OFFLINE_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


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


def html_exporter() -> HTMLExporter:
    """The HTML exporter of the leaders' editions: outputs only, nothing fetched."""
    return HTMLExporter(
        template_name="lab",
        template_file="offline.html.j2",
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def write_html(path: Path, notebook: nbformat.NotebookNode | None = None) -> Path:
    """Write a notebook's code-free HTML edition to ``docs/notebooks/<stem>.html``."""
    notebook = nbformat.read(path, as_version=4) if notebook is None else notebook
    body, _ = html_exporter().from_notebook_node(
        notebook, resources={"metadata": {"name": path.stem, "path": str(FOLDER)}}
    )
    target = HTML_FOLDER / f"{path.stem}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as temporary:  # a temporary file beside it, then one rename
        temporary.write_text(body, encoding="utf-8")
    return target


def execute(path: Path) -> bool:
    """Run one notebook at full size; save it in place, and its HTML, when it ran cleanly."""
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
    with atomic_path(path) as temporary:
        nbformat.write(notebook, temporary)
    html = write_html(path, notebook)
    print(f"{path.name}: {time.perf_counter() - started:.0f} s; {html.relative_to(FOLDER.parent)}")
    return True


def main(argv: list[str]) -> int:
    """Execute the named notebooks (all of them by default); 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all of them)")
    parser.add_argument(
        "--html-only",
        action="store_true",
        help="rewrite the HTML editions from the committed notebooks, without running them",
    )
    args = parser.parse_args(argv)
    paths = [FOLDER / name for name in args.names] or sorted(FOLDER.glob("*.ipynb"))
    if args.html_only:
        for path in paths:
            print(f"{path.name}: {write_html(path).relative_to(FOLDER.parent)}")
        return 0
    results = [execute(path) for path in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
