"""Committee decisions: approve or reject a move, recorded in the scenario and an audit log.

An approval of ``(nip, position)`` becomes a lock in the scenario YAML and a
rejection a forbid (docs/model.md section 1), so the next solve honours them. Approving a
pair removes a forbid on it; rejecting a pair removes a lock on it.

The YAML is rewritten safely: only the top-level ``locks:`` and ``forbid:`` blocks are
replaced (comments and every other key stay as written), the result is parsed back
and compared with the intended mapping (else the whole mapping is dumped instead),
validated with :func:`solver.io.load_scenario` from a temporary file beside the
original, and only then moved over it atomically (``os.replace``). A lock file beside
the scenario serialises concurrent decisions.

Every decision appends one JSON line to ``decisions.log.jsonl`` beside the scenario::

    {"seq": 1, "at": "2027-01-05T03:04:05Z", "by": "...", "action": "approve",
     "nip": "...", "position": "...", "reason": "...", "plans_sha256": "...",
     "in_plans": [1, 2], "scenario_sha256": "...", "prev": "000…0", "hash": "..."}

``hash`` is the SHA-256 of the entry without ``hash`` as canonical JSON (sorted keys,
no spaces, UTF-8), and ``prev`` is the previous entry's hash (64 zeros for the
first), so any edit, deletion or reordering breaks the chain (:func:`verify_log`).
``scenario_sha256`` is the SHA-256 of the YAML file as written by this decision.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from solver.atomic import write_atomic
from solver.io import InputError, load_scenario
from solver.scenario import Scenario

Loader = Callable[[Path], Scenario]

LOG_NAME = "decisions.log.jsonl"
GENESIS = "0" * 64
ACTIONS = ("approve", "reject")


class DecisionError(Exception):
    """A decision that cannot be recorded (unknown NIP or post, conflicting lock...)."""


def log_path(scenario_path: str | Path) -> Path:
    return Path(scenario_path).parent / LOG_NAME


def sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _locked(scenario_path: Path) -> Iterator[None]:
    lock = scenario_path.parent / f".{scenario_path.name}.decisions.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_log(scenario_path: str | Path) -> list[dict[str, Any]]:
    """All entries of the scenario's audit log (empty when there is none)."""
    path = log_path(scenario_path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def verify_log(scenario_path: str | Path) -> list[str]:
    """Problems found in the audit log's hash chain; an empty list means it verifies."""
    path = log_path(scenario_path)
    if not path.exists():
        return []
    problems = []
    prev = GENESIS
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            problems.append(f"{LOG_NAME} line {number}: not JSON")
            prev = "?"
            continue
        if entry.get("seq") != number:
            problems.append(f"{LOG_NAME} line {number}: seq is {entry.get('seq')}, expected "
                            f"{number} (an entry was removed or reordered)")
        if entry.get("prev") != prev:
            problems.append(f"{LOG_NAME} line {number}: prev does not match the hash of "
                            "the entry before it")
        if entry.get("hash") != entry_hash(entry):
            problems.append(f"{LOG_NAME} line {number}: hash does not match the entry "
                            "(it was edited)")
        prev = entry.get("hash", "?")
    return problems


# --------------------------------------------------------------------------- YAML


_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:")


def _render_block(key: str, items: list[Any]) -> str:
    if not items:
        return f"{key}: []\n"
    lines = [f"{key}:"]
    lines += [f"  - {json.dumps(item, ensure_ascii=False, default=str)}" for item in items]
    return "\n".join(lines) + "\n"


def _replace_blocks(text: str, blocks: dict[str, list[Any]]) -> str:
    """Replace the top-level ``key:`` blocks of ``text`` (append when absent)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    done: set[str] = set()
    skipping = False
    for line in lines:
        stripped = line.rstrip("\r\n")
        at_top = stripped != "" and not stripped[0].isspace() and not stripped.startswith("- ") \
            and stripped != "-"
        if skipping and at_top:
            skipping = False
        if skipping:
            continue
        match = _TOP_KEY.match(stripped) if at_top else None
        if match and match.group("key") in blocks:
            key = match.group("key")
            if key not in done:
                out.append(_render_block(key, blocks[key]))
                done.add(key)
            skipping = True
            continue
        out.append(line)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    for key, items in blocks.items():
        if key not in done:
            out.append(_render_block(key, items))
    return "".join(out)


def _same_pair(item: Any, nip: str, position: str) -> bool:
    return (isinstance(item, dict) and str(item.get("nip", "")).strip() == nip
            and str(item.get("position", "")).strip() == position)


def _validated_text(path: Path, text: str, load: Loader) -> None:
    """Load ``text`` as the scenario (from a temp file beside ``path``); raise if invalid."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.check.", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            load(Path(tmp))
        except InputError as exc:
            raise DecisionError("the scenario would become invalid: "
                                + "; ".join(exc.errors)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


# --------------------------------------------------------------------------- decide


def _plan_ranks(plans_path: Path, nip: str, position: str) -> list[int]:
    try:
        doc = json.loads(plans_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DecisionError(f"{plans_path} is not a readable plans.json ({exc})") from None
    return [int(plan["rank"]) for plan in doc.get("plans", [])
            if any(a.get("nip") == nip and a.get("position") == position
                   for a in plan.get("assignments", []))]


def decide(scenario_path: str | Path, plans_path: str | Path, action: str, nip: str,
           position: str, reason: str, by: str, now: dt.datetime | None = None,
           load: Loader = load_scenario) -> dict[str, Any]:
    """Record one committee decision; returns the audit log entry written.

    Parameters
    ----------
    scenario_path
        The scenario YAML; its ``locks``/``forbid`` are rewritten in place.
    plans_path
        The ``plans.json`` the committee decided on (hashed into the log).
    action
        ``"approve"`` (becomes a lock) or ``"reject"`` (becomes a forbid).
    nip, position
        The move decided on.
    reason, by
        Why, and who decided (both required, non-empty).
    now
        Decision time (default: now, UTC).
    load
        Reads a scenario YAML (the file itself, or its rewritten copy) into a
        validated scenario. Default :func:`solver.io.load_scenario`, which opens the
        tables the YAML names; the API passes one that takes its stored tables.

    Raises
    ------
    DecisionError
        Unknown action, NIP or position, empty reason or actor, an approval that
        conflicts with an earlier approval of the same person, or a scenario the
        change would make invalid. Nothing is written then.
    """
    scenario_path, plans_path = Path(scenario_path), Path(plans_path)
    nip, position, reason, by = nip.strip(), position.strip(), reason.strip(), by.strip()
    if action not in ACTIONS:
        raise DecisionError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    if not reason:
        raise DecisionError("a reason is required")
    if not by:
        raise DecisionError("the decider's name (--by) is required")
    if not plans_path.is_file():
        raise DecisionError(f"plans file not found: {plans_path}")
    with _locked(scenario_path):
        try:
            scenario = load(scenario_path)
        except InputError as exc:
            raise DecisionError("the scenario is invalid: " + "; ".join(exc.errors)) from None
        if nip not in set(scenario.employees["nip"]):
            raise DecisionError(f"NIP {nip} is not in the employees table")
        if position not in set(scenario.positions["id"]):
            raise DecisionError(f"position {position} is not in the positions table")
        text = scenario_path.read_text(encoding="utf-8-sig")
        config = yaml.safe_load(text)
        locks = list(config.get("locks") or [])
        forbid = list(config.get("forbid") or [])
        if action == "approve":
            other = [item for item in locks if isinstance(item, dict)
                     and str(item.get("nip", "")).strip() == nip
                     and not _same_pair(item, nip, position)]
            if other:
                raise DecisionError(f"{nip} is already approved into {other[0].get('position')}; "
                                    "reject that move first")
            forbid = [item for item in forbid if not _same_pair(item, nip, position)]
            if not any(_same_pair(item, nip, position) for item in locks):
                locks.append({"nip": nip, "position": position})
        else:
            locks = [item for item in locks if not _same_pair(item, nip, position)]
            if not any(_same_pair(item, nip, position) for item in forbid):
                forbid.append({"nip": nip, "position": position})
        expected = dict(config)
        expected["locks"], expected["forbid"] = locks, forbid
        new_text = _replace_blocks(text, {"locks": locks, "forbid": forbid})
        try:
            same = yaml.safe_load(new_text) == expected
        except yaml.YAMLError:
            same = False
        if not same:  # unusual layout: fall back to a full, comment-free dump
            new_text = yaml.safe_dump(expected, sort_keys=False, allow_unicode=True)
        _validated_text(scenario_path, new_text, load)
        if action == "approve":
            _check_lock_holds(scenario_path, new_text, nip, position, load)

        entries = read_log(scenario_path)
        prev = entries[-1]["hash"] if entries else GENESIS
        when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        entry: dict[str, Any] = {
            "seq": len(entries) + 1,
            "at": when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "by": by,
            "action": action,
            "nip": nip,
            "position": position,
            "reason": reason,
            "plans_sha256": sha256_file(plans_path),
            "in_plans": _plan_ranks(plans_path, nip, position),
            "scenario_sha256": hashlib.sha256(new_text.encode("utf-8")).hexdigest(),
            "prev": prev,
        }
        entry["hash"] = entry_hash(entry)
        write_atomic(scenario_path, new_text)
        with log_path(scenario_path).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry


def _check_lock_holds(scenario_path: Path, text: str, nip: str, position: str,
                      load: Loader) -> None:
    """Refuse an approval into a post outside the scope or abolished (it could never hold)."""
    from solver.eligibility import build_problem

    fd, tmp = tempfile.mkstemp(dir=scenario_path.parent, prefix=f".{scenario_path.stem}.check.",
                               suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        problem = build_problem(load(Path(tmp)))
    finally:
        Path(tmp).unlink(missing_ok=True)
    for message in problem.broken_locks:
        if nip in message and position in message:
            raise DecisionError(message)


def parse_pair(text: str) -> tuple[str, str]:
    """``"NIP=POS"`` -> ``(nip, pos)``."""
    if "=" not in text:
        raise DecisionError(f"expected NIP=POSITION, got {text!r}")
    nip, position = text.split("=", 1)
    if not nip.strip() or not position.strip():
        raise DecisionError(f"expected NIP=POSITION, got {text!r}")
    return nip.strip(), position.strip()
