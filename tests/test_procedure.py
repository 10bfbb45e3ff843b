"""The published draw procedure: committed vectors, properties, and fairness."""

import hashlib
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services import procedure

from .reference_draw import reference_winners

VECTORS = json.loads((Path(__file__).parent / "data" / "draw_vectors.json").read_text())
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

codes = st.text(alphabet=ALPHABET, min_size=8, max_size=8).map(lambda s: f"{s[:4]}-{s[4:]}")
pools = st.dictionaries(codes, st.integers(min_value=1, max_value=12), min_size=1, max_size=60)
seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)


@pytest.mark.parametrize("vector", VECTORS, ids=[f"vector{i}" for i in range(len(VECTORS))])
def test_committed_vectors(vector: dict) -> None:
    pool = procedure.parse_pool(vector["pool"])
    assert procedure.pool_text(pool) == vector["pool"]
    assert procedure.pool_hash(vector["pool"]) == vector["pool_hash"]
    assert procedure.commitment(vector["seed_hex"]) == vector["commitment"]
    got = procedure.winners(pool, vector["seed_hex"], vector["beacon_hex"], vector["k"])
    assert got == vector["winners"]
    assert reference_winners(vector["pool"], vector["seed_hex"], vector["beacon_hex"],
                             vector["k"]) == vector["winners"]


@given(pools, seeds, st.integers(min_value=0, max_value=70))
def test_winners_are_distinct_members_of_the_pool(pool: dict, seed: str, k: int) -> None:
    result = procedure.winners(sorted(pool.items()), seed, None, k)
    assert set(result) <= set(pool)
    assert len(result) == len(set(result)) == min(k, len(pool))


@given(pools, seeds, st.integers(min_value=0, max_value=70))
def test_winners_are_the_head_of_the_full_ranking(pool: dict, seed: str, k: int) -> None:
    entries = sorted(pool.items())
    assert procedure.winners(entries, seed, None, k) == procedure.ranking(entries, seed, None)[:k]


@given(pools, seeds, st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_line_order(pool: dict, seed: str, rnd) -> None:
    lines = procedure.pool_text(pool.items()).splitlines(keepends=True)
    shuffled = lines[:]
    rnd.shuffle(shuffled)
    first = procedure.winners(procedure.parse_pool("".join(lines)), seed, None, 5)
    again = procedure.winners(procedure.parse_pool("".join(shuffled)), seed, None, 5)
    assert first == again
    assert first == reference_winners("".join(lines), seed, None, 5)


@settings(max_examples=50)
@given(st.dictionaries(codes, st.integers(1, 3), min_size=20, max_size=40), seeds, seeds)
def test_ranking_changes_with_the_seed(pool: dict, seed_a: str, seed_b: str) -> None:
    if seed_a == seed_b:
        return
    entries = sorted(pool.items())
    assert procedure.ranking(entries, seed_a, None) != procedure.ranking(entries, seed_b, None)


@given(pools, seeds)
def test_beacon_is_part_of_the_key(pool: dict, seed: str) -> None:
    entries = sorted(pool.items())
    beacon = "ab" * 16
    assert procedure.draw_key(seed, beacon) == f"{seed}:{beacon}"
    assert procedure.ranking(entries, seed, beacon) == [
        code for code in reference_winners(procedure.pool_text(entries), seed, beacon, 999)
    ]


def test_first_winner_frequency_follows_lots() -> None:
    """Chi-square over 6,000 fixed seeds: P(first) = lots / total lots."""
    pool = [("AAAA-0001", 1), ("BBBB-0002", 2), ("CCCC-0003", 3), ("DDDD-0004", 4),
            ("EEEE-0005", 10)]
    total = sum(lots for _code, lots in pool)
    runs = 6000
    firsts = Counter(
        procedure.winners(pool, hashlib.sha256(f"chi-{i}".encode()).hexdigest(), None, 1)[0]
        for i in range(runs)
    )
    chi2 = sum(
        (firsts[code] - runs * lots / total) ** 2 / (runs * lots / total) for code, lots in pool
    )
    # 4 degrees of freedom: the 0.1 % critical value is 18.47.
    assert chi2 < 18.47, (chi2, firsts)


@pytest.mark.parametrize(
    "text",
    [
        "K7QM-2XPA 1\n",  # space instead of tab
        "K7QM-2XPA\t0\n",  # no lots
        "K7QM-2XPA\t-1\n",
        "k7qm-2xpa\t1\n",  # lower case
        "K7QM-2XPU\t1\n",  # U is not in the alphabet
        "K7QM-2XPA\t1\nK7QM-2XPA\t2\n",  # repeated code
        "K7QM-2XPA\t1\x00\n",
    ],
)
def test_malformed_pools_are_refused(text: str) -> None:
    with pytest.raises(procedure.ProcedureError) as excinfo:
        procedure.parse_pool(text)
    assert excinfo.value.code == "bad_pool"


@pytest.mark.parametrize(
    ("seed", "beacon", "code"),
    [("xyz", None, "bad_seed"), ("A" * 64, None, "bad_seed"), ("a" * 64, "zz", "bad_beacon")],
)
def test_bad_seed_or_beacon(seed: str, beacon: str | None, code: str) -> None:
    with pytest.raises(procedure.ProcedureError) as excinfo:
        procedure.winners([("K7QM-2XPA", 1)], seed, beacon, 1)
    assert excinfo.value.code == code


def test_seeds_are_fresh_and_committed() -> None:
    seeds = {procedure.new_seed() for _ in range(100)}
    assert len(seeds) == 100
    seed = seeds.pop()
    assert procedure.HEX64_RE.fullmatch(seed)
    assert procedure.commitment(seed) == hashlib.sha256(seed.encode()).hexdigest()


def test_pool_text_format() -> None:
    text = procedure.pool_text([("ZZZZ-0000", 2), ("AAAA-0000", 1)])
    assert text == "AAAA-0000\t1\nZZZZ-0000\t2\n"
    random.Random(1).shuffle(lines := text.splitlines(keepends=True))
    assert procedure.pool_text(procedure.parse_pool("".join(lines))) == text
