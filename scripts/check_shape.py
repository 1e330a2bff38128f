"""Check the codebase's shape: short functions and packages of at most a dozen modules.

Ruff's statement count lets long functions through when their statements are long
(a dict literal, a wrapped call), so this counts lines, from ``def`` to the function's
last line, decorators excluded. A package with more modules than the limit should be
split into sub-packages by feature.

    python scripts/check_shape.py carehub [--max-lines 60] [--max-modules 12]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_LINES = 60
MAX_MODULES = 12


def long_functions(path: Path, max_lines: int) -> Iterator[str]:
    """Yield ``path:line name is N lines`` for each function longer than ``max_lines``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            end = node.end_lineno or node.lineno
            length = end - node.lineno + 1
            if length > max_lines:
                yield f"{path}:{node.lineno}: {node.name} is {length} lines (limit {max_lines})"


def crowded_packages(root: Path, max_modules: int) -> Iterator[str]:
    """Yield a line for each package under ``root`` holding more than ``max_modules`` modules."""
    for init in sorted(root.rglob("__init__.py")):
        package = init.parent
        modules = [p for p in package.glob("*.py") if p.name != "__init__.py"]
        if len(modules) > max_modules:
            yield (
                f"{package}: {len(modules)} modules (limit {max_modules}); "
                "split it into sub-packages by feature"
            )


def problems(root: Path, max_lines: int = MAX_LINES, max_modules: int = MAX_MODULES) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        found.extend(long_functions(path, max_lines))
    found.extend(crowded_packages(root, max_modules))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--max-lines", type=int, default=MAX_LINES)
    parser.add_argument("--max-modules", type=int, default=MAX_MODULES)
    args = parser.parse_args(argv)
    found = [p for root in args.roots for p in problems(root, args.max_lines, args.max_modules)]
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} shape problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
