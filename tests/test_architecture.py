"""The package's folders show its architecture, and its imports keep to it.

scenario -> model (agents, mechanisms, survey, policy, ledger) -> experiment -> report ->
cli/app: a module imports only from its own layer or the layers below it, and no two modules
import each other, directly or round a loop (imports inside functions and under TYPE_CHECKING
count too).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "npssim"

#: The layers, lowest first; a module may import from its own layer and those below.
LAYERS = (
    {"npssim.errors", "npssim.files", "npssim.version", "npssim.seeds", "npssim.tactics",
     "npssim.metrics"},
    {"npssim.scenario"},
    {"npssim.policy", "npssim.survey", "npssim.ledger"},
    {"npssim.agents"},
    {"npssim.mechanisms"},
    {"npssim.model"},
    {"npssim.report"},
    {"npssim.experiment"},
    {"npssim.diagnose"},
    {"npssim.interop"},
    {"npssim.cli", "npssim.app"},
)  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every npssim module a file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("npssim"):
            # ``from npssim.agents import reps`` imports the module npssim.agents.reps.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("npssim"))
    return found


MODULES = {module_name(path): imports(path) for path in PACKAGE.rglob("*.py")}


def resolve(target: str) -> str:
    """The module an import reaches: ``npssim.agents.reps.RepRoster`` -> npssim.agents.reps."""
    while target not in MODULES and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def layer(module: str) -> int:
    for index, members in enumerate(LAYERS):
        if any(module == member or module.startswith(f"{member}.") for member in members):
            return index
    raise AssertionError(f"{module} is in no layer; add it to LAYERS")


def test_every_module_has_a_layer():
    for module in MODULES:
        if module != "npssim":
            layer(module)


@pytest.mark.parametrize("module", sorted(name for name in MODULES if name != "npssim"))
def test_a_module_imports_only_from_its_layer_and_below(module):
    for target in map(resolve, MODULES[module]):
        assert target != "npssim", f"{module} imports the package facade; import the module"
        assert layer(target) <= layer(module), f"{module} imports {target}, a higher layer"


def test_no_modules_import_each_other_round_a_loop():
    graph = {
        name: {resolve(target) for target in targets} - {name} for name, targets in MODULES.items()
    }
    # A package's __init__ gathers its modules' names: an edge into the package is an edge
    # into the module that defines the name, so only modules' own edges can close a loop.
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if target.startswith(f"{node}.") or node.startswith(f"{target}."):
                continue  # a package and its own modules
            if state.get(target) == 1:
                loop = (
                    [*trail[trail.index(target) :], target] if target in trail else [node, target]
                )
                raise AssertionError(" -> ".join(loop))
            if target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
