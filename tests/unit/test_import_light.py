"""The optimiser is pure: importing it loads no Flask."""

import subprocess
import sys


def test_routing_imports_without_flask() -> None:
    code = "import carehub.routing, sys; assert 'flask' not in sys.modules, 'flask loaded'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
