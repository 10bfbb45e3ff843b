"""The README's standalone draw procedure reproduces every committed test vector."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_readme_procedure_reproduces_the_vectors(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(import hashlib, hmac, sys.*?)```", readme, re.S)
    assert match, "README lost its standalone draw procedure"
    script = tmp_path / "verify.py"
    script.write_text(match.group(1), encoding="utf-8")
    vectors = json.loads((ROOT / "tests" / "data" / "draw_vectors.json").read_text())
    for vector in vectors:
        pool = tmp_path / "pool.txt"
        pool.write_text(vector["pool"], encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(script), str(pool), vector["seed_hex"],
             vector["beacon_hex"] or "", str(vector["k"])],
            capture_output=True, text=True, check=True,
        )
        assert result.stdout.split() == vector["winners"]
