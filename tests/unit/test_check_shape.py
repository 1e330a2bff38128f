"""The shape check catches long functions and crowded packages, and passes the codebase."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_shape", ROOT / "scripts/check_shape.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_shape"] = module
    spec.loader.exec_module(module)
    return module


check_shape = _load()


def _function(lines: int, decorators: int = 0) -> str:
    """A function of exactly ``lines`` lines from ``def`` to its end."""
    head = "".join("@staticmethod\n" for _ in range(decorators))
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 2))
    return f"{head}def f():\n{body}    return 0\n"


def _package(tmp_path: Path, modules: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    for name, text in modules.items():
        (root / name).write_text(text)
    return root


def test_a_61_line_function_is_reported(tmp_path: Path) -> None:
    root = _package(tmp_path, {"m.py": _function(61)})
    found = check_shape.problems(root)
    assert len(found) == 1
    assert "m.py:1: f is 61 lines" in found[0]


def test_a_60_line_function_passes(tmp_path: Path) -> None:
    root = _package(tmp_path, {"m.py": _function(60)})
    assert check_shape.problems(root) == []


def test_decorators_are_not_counted(tmp_path: Path) -> None:
    root = _package(tmp_path, {"m.py": _function(60, decorators=3)})
    assert check_shape.problems(root) == []


def test_methods_and_nested_functions_are_checked(tmp_path: Path) -> None:
    nested = "class C:\n    def outer(self):\n" + "".join(
        "        " + line + "\n" for line in _function(61).splitlines()
    )
    nested += "        return f\n"
    root = _package(tmp_path, {"m.py": nested})
    names = " ".join(check_shape.problems(root))
    assert " f is 61 lines" in names
    assert " outer is 63 lines" in names


def test_thirteen_modules_are_a_crowded_package(tmp_path: Path) -> None:
    root = _package(tmp_path, {f"m{i}.py": "" for i in range(13)})
    found = check_shape.problems(root)
    assert len(found) == 1
    assert "13 modules (limit 12)" in found[0]


def test_twelve_modules_and_a_sub_package_pass(tmp_path: Path) -> None:
    root = _package(tmp_path, {f"m{i}.py": "" for i in range(12)})
    sub = root / "feature"
    sub.mkdir()
    (sub / "__init__.py").write_text("")
    (sub / "extra.py").write_text("")
    assert check_shape.problems(root) == []


def test_main_exits_non_zero_and_names_the_problem(tmp_path: Path, capsys) -> None:
    root = _package(tmp_path, {"m.py": _function(61)})
    assert check_shape.main([str(root)]) == 1
    assert "f is 61 lines" in capsys.readouterr().out
    assert check_shape.main([str(root), "--max-lines", "61"]) == 0
