"""The README's Python examples, read as the files a reader would save them as."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Example:
    """A ``python`` block of the README, and the ``text`` block right after it, if any."""

    code: str
    output: str | None

    @property
    def name(self) -> str:
        first = next(line for line in self.code.splitlines() if line.strip())
        return first.strip()


def examples() -> list[Example]:
    """Every Python block, with its printed output when the README shows one."""
    blocks = [(match.group(1), match.group(2)) for match in _FENCE.finditer(README.read_text())]
    found = []
    for index, (language, body) in enumerate(blocks):
        if language != "python":
            continue
        after = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
        found.append(Example(body, after[1] if after[0] == "text" else None))
    return found


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def setup_commands() -> list[str]:
    """The commands of the Set-up section's shell block (what .ci/run runs), comments left out."""
    block = next(
        body for language, body in _FENCE.findall(_section("Set-up")) if language == "bash"
    )
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def other_shell_lines() -> list[str]:
    """Every line of the README's other shell blocks, which assume the activated environment."""
    setup = _section("Set-up")
    rest = README.read_text().replace(setup, "")
    return [
        line
        for language, body in _FENCE.findall(rest)
        if language == "bash"
        for line in body.splitlines()
    ]


def run_as_a_file(example: Example, folder: Path) -> str:
    """Save the example in a fresh folder, run it with this interpreter, return its stdout."""
    script = folder / "example.py"
    script.write_text(example.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=folder, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def same_text(printed: str, shown: str) -> bool:
    """Whether printed output is what the README shows, up to trailing spaces."""

    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.strip().splitlines()]

    return lines(printed) == lines(shown)
