"""solver.output.write_outputs: the plans are on disk before their shortlists finish,
the shortlists arrive as they complete, and the finished document is the same as one
computed in a single pass."""

from __future__ import annotations

import json

from solver import output
from solver.document import plans_document
from solver.io import load_scenario
from solver.output import write_outputs
from solver.result import SolveParams
from solver.review.shortlist import moved_posts
from solver.solve import solve
from tests.review.helpers import rotation

PARAMS = SolveParams(time_limit=20, workers=1)


def _read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_plans_are_written_before_shortlists_finish(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "PENDING_PACKET_AFTER_S", 0.0)  # the packet at once too
    sc = load_scenario(rotation(tmp_path, plans={"count": 2, "min_difference": 2}))
    result = solve(sc, PARAMS)
    out = tmp_path / "out"
    seen: list[tuple[int, int, dict]] = []

    def on_shortlist(done, total):
        # The document on disk at this moment (written before the first post is priced).
        seen.append((done, total, _read(out / "plans.json")))

    write_outputs(result, sc, out, PARAMS, shortlist_time=60, packet=True,
                  on_shortlist=on_shortlist)
    total = moved_posts(result)
    assert total > 1
    assert [s[0] for s in seen] == list(range(total + 1))
    first = seen[0][2]
    assert [p["objective"] for p in first["plans"]] == [p.objective for p in result.plans]
    assert all(p["shortlists_pending"] and p["shortlists"] == [] for p in first["plans"])
    assert first["shortlists_progress"] == {"done": 0, "total": total}
    assert (out / "plans.csv").exists() and (out / "plans.xlsx").exists()

    final = _read(out / "plans.json")
    assert "shortlists_progress" not in final
    assert all("shortlists_pending" not in p and p["shortlists_complete"]
               for p in final["plans"])
    assert sum(len(p["shortlists"]) for p in final["plans"]) == total
    assert "sedang dihitung" not in (out / "review.html").read_text(encoding="utf-8")
    # The same document (outside "run") as the single-pass plans_document.
    once = plans_document(result, sc, PARAMS, shortlist_time=60)
    final.pop("run")
    once.pop("run")
    assert final == json.loads(json.dumps(once))


def test_pending_packet_says_shortlists_are_being_computed(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "PENDING_PACKET_AFTER_S", 0.0)
    sc = load_scenario(rotation(tmp_path))
    result = solve(sc, PARAMS)
    out = tmp_path / "out"
    pages: list[str] = []

    def on_shortlist(done, total):
        if done == 0:
            pages.append((out / "review.html").read_text(encoding="utf-8"))

    write_outputs(result, sc, out, PARAMS, shortlist_time=60, packet=True,
                  on_shortlist=on_shortlist)
    assert pages and "Daftar pendek sedang dihitung" in pages[0]


def test_quick_shortlists_write_the_packet_once(tmp_path, monkeypatch):
    """Shortlists done before PENDING_PACKET_AFTER_S: plans.json (plans, shortlists
    pending) is still on disk before the first of them, the packet is written once."""
    from solver.review import packet

    monkeypatch.setattr(output, "PENDING_PACKET_AFTER_S", 3600.0)
    written: list[int] = []
    real = packet.write_review_packet

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        written.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(packet, "write_review_packet", counted)
    sc = load_scenario(rotation(tmp_path))
    result = solve(sc, PARAMS)
    out = tmp_path / "out"
    first: list[dict] = []

    def on_shortlist(done, total):
        if done == 0:
            first.append(_read(out / "plans.json"))

    write_outputs(result, sc, out, PARAMS, shortlist_time=60, packet=True,
                  on_shortlist=on_shortlist)
    assert first and all(p["shortlists_pending"] for p in first[0]["plans"])
    assert written == [1]
    assert "sedang dihitung" not in (out / "review.html").read_text(encoding="utf-8")
