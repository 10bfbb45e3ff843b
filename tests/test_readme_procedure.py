"""The README's standalone draw procedure reproduces every committed test vector, and its
drand arithmetic is the app's."""

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services import drand

ROOT = Path(__file__).parent.parent


def readme_draw_section() -> str:
    """The README's "Verifiable draws" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"\n## Verifiable draws\n(.*?)\n## ", readme, re.S)
    assert match, "README lost its section on verifiable draws"
    return match.group(1)


def test_readme_procedure_reproduces_the_vectors(tmp_path: Path) -> None:
    match = re.search(r"```python\n(import hashlib, hmac, sys.*?)```", readme_draw_section(),
                      re.S)
    assert match, "README lost its standalone draw procedure"
    script = tmp_path / "verify.py"
    script.write_text(match.group(1), encoding="utf-8")
    vectors = json.loads((ROOT / "tests" / "data" / "draw_vectors.json").read_text())
    assert any(vector["beacon_hex"] for vector in vectors)  # the beacon is covered too
    for vector in vectors:
        pool = tmp_path / "pool.txt"
        pool.write_text(vector["pool"], encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(script), str(pool), vector["seed_hex"],
             vector["beacon_hex"] or "", str(vector["k"])],
            capture_output=True, text=True, check=True,
        )
        assert result.stdout.split() == vector["winners"]


@pytest.mark.parametrize("chain", list(drand.CHAINS.values()), ids=list(drand.CHAINS))
def test_readme_names_the_chains_and_computes_due_times_like_the_app(chain) -> None:
    section = readme_draw_section()
    genesis = int(chain.genesis.timestamp())
    period = int(chain.period.total_seconds())
    named = rf"`{chain.name}`[^`]*\(chain hash\s+`{chain.chain_hash}`,\s+genesis\s+{genesis},"
    assert re.search(named + rf"\s+period\s+{period} s\)", section), chain.name
    match = re.search(r"```python\n(def drand_round.*?)```", section, re.S)
    assert match, "README lost how a drand round's due time is computed"
    namespace: dict[str, object] = {}
    exec(match.group(1), namespace)  # noqa: S102  (our own README)
    drand_round = namespace["drand_round"]
    for round_number in (1, 2, 35_103_612, 7_000_000):
        due, url = drand_round(chain.chain_hash, genesis, period, round_number)  # type: ignore[operator]
        assert datetime.fromtimestamp(due, UTC) == drand.round_due_at(chain, round_number)
        assert url == drand.public_url(chain, round_number)


def test_readme_describes_the_new_steps() -> None:
    section = readme_draw_section()
    for phrase in ("--beacon-chain", "--beacon-round", "--reason", "randomness",
                   "DRAW_SECOND_PERSON", "needs a reason", "<details>"):
        assert phrase in section, phrase
