"""solver.jsontext.dumps_indented writes exactly json.dumps(indent=2, ensure_ascii=False)."""

from __future__ import annotations

import enum
import json
import math
import random

import numpy as np
import pytest

from solver.jsontext import dumps_indented

ALPHABET = ("abcXYZ 019_-/.,:;'\"\\\n\t\r\b\f\x00\x01\x1f\x7f"
            "éüßñ Ñ çãõ ąęł ığş — … € ¥ ·  \u2028\u2029 \ud7ff 日本語 한국 "
            "كتاب Ωμέγα 🙂 𝄞")


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 7


class Status(enum.StrEnum):
    OPTIMAL = "OPTIMAL"


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))


def _float(rng: random.Random) -> float:
    return rng.choice([
        0.0, -0.0, 1.0, 0.1, 1e16, 1e-7, 123456789.125, -2.5e-300, 1.7976931348623157e308,
        5e-324, math.pi, float("nan"), float("inf"), float("-inf"),
        rng.uniform(-1e6, 1e6), rng.random(), round(rng.uniform(-1, 1), 9),
        float(rng.randint(-10**18, 10**18)), np.float64(rng.uniform(-10, 10)),
    ])


def _scalar(rng: random.Random) -> object:
    kind = rng.randrange(9)
    if kind == 0:
        return _text(rng)
    if kind == 1:
        return rng.randint(-10**6, 10**6)
    if kind == 2:
        return rng.choice([0, -1, 2**63, -2**70, 10**30])
    if kind == 3:
        return _float(rng)
    if kind == 4:
        return rng.choice([True, False, None])
    if kind == 5:
        return rng.choice([Level.LOW, Level.HIGH, Status.OPTIMAL])
    if kind == 6:
        return _text(rng) * 3
    if kind == 7:
        return rng.randint(0, 99)
    return rng.choice(["", "null", "18 0"])


def _key(rng: random.Random) -> object:
    kind = rng.randrange(10)
    if kind < 6:
        return _text(rng)
    return rng.choice([rng.randint(-50, 50), rng.uniform(-5, 5), True, False, None,
                       Level.HIGH, 2.0])


def _document(rng: random.Random, depth: int) -> object:
    if depth == 0 or rng.random() < 0.3:
        return _scalar(rng)
    kind = rng.randrange(3)
    size = rng.choice([0, 1, 2, 3, 5, 8])
    if kind == 0:
        return [_document(rng, depth - 1) for _ in range(size)]
    if kind == 1:
        return tuple(_document(rng, depth - 1) for _ in range(size))
    return {_key(rng): _document(rng, depth - 1) for _ in range(size)}


@pytest.mark.parametrize("seed", range(300))
def test_random_documents_match_the_standard_library(seed: int) -> None:
    rng = random.Random(seed)
    document = _document(rng, rng.randint(0, 7))
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_a_plans_document_shape_matches() -> None:
    rng = random.Random(7)
    assignments = [{"nip": str(rng.randint(10**17, 10**18)), "position": f"{i:06d}",
                    "from": None if i % 5 == 0 else f"{i + 1:06d}", "jpm": rng.randint(0, 10**4),
                    "band": rng.choice([None, "Optimal", "Cukup"]), "gaps": [],
                    "training": [{"course": _text(rng), "hours": rng.randint(1, 40)}],
                    "reasons": ["stays", "rotation_due"][: i % 3]} for i in range(500)]
    document = {"scenario": "Kota Medan — ronde 1", "status": Status.OPTIMAL,
                "plans": [{"rank": 1, "objective": 23227403, "bound": 23227403,
                           "optimal": True, "gap": 0.0, "assignments": assignments}],
                "infeasibility": [], "run": {"runtime_s": 11.466, "strategy": "flow-core"}}
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_deep_nesting_matches() -> None:
    document: object = "leaf"
    for level in range(150):
        document = {"k": [document, level]} if level % 2 else [document]
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_errors_are_the_standard_librarys() -> None:
    for bad in ({"a": object()}, [1, {2, 3}], {(1, 2): "tuple key"}, np.int64(3)):
        with pytest.raises(TypeError) as ours:
            dumps_indented(bad)
        with pytest.raises(TypeError) as theirs:
            json.dumps(bad, indent=2, ensure_ascii=False)
        assert str(ours.value) == str(theirs.value)
    circular: list[object] = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(circular)
