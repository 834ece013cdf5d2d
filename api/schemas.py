"""Request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from solver.io import TableLimits

# A what-if row has at most as many keys as a table may have columns; a rules or
# weights edit names at most this many keys; ids are short text.
MAX_ROW_KEYS = TableLimits().max_columns
MAX_BLOCK_KEYS = 50
MAX_ID_CHARS = 200


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- scenarios


class FileContent(_Body):
    """A file in a JSON upload: its name and base64 bytes (e.g. an XLSX workbook)."""

    filename: str
    content_base64: str


TableJson = Annotated[
    str | list[dict[str, Any]] | FileContent,
    Field(description="CSV text, a list of row objects, or {filename, content_base64}"),
]


class ScenarioJson(_Body):
    """A scenario as one JSON body: the YAML (text or object) and the tables."""

    scenario: str | dict[str, Any] = Field(description="The scenario YAML, as text or object")
    employees: TableJson
    positions: TableJson
    assessments: TableJson | None = None
    preferences: TableJson | None = None
    units: TableJson | None = None


class FileInfo(BaseModel):
    role: str
    path: str
    original_name: str
    bytes: int


class ScenarioCreated(BaseModel):
    id: str
    name: str
    counts: dict[str, int]


class ScenarioInfo(BaseModel):
    id: str
    name: str
    created_at: dt.datetime
    base_id: str | None
    edits: list[dict[str, Any]] | None
    counts: dict[str, int]
    files: list[FileInfo]


class ScenarioSummary(BaseModel):
    id: str
    name: str
    created_at: dt.datetime
    base_id: str | None


# --------------------------------------------------------------------------- jobs


SHORTLIST_TIME = ("Seconds for exact shortlists (3 names per post filled by a move) after "
                  "the plans; 0 (default) skips them. The plans document is readable as "
                  "soon as the plans are proven, shortlists marked pending.")


class JobCreate(_Body):
    plans: int | None = Field(default=None, ge=1, description="Ranked plans wanted "
                              "(default: the scenario's plans.count)")
    time_limit: float | None = Field(default=None, gt=0, description="Seconds for the whole "
                                     "solve (default: the server's, 60)")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    shortlist_time: float = Field(default=0, ge=0, le=600, description=SHORTLIST_TIME)


class JobProgress(BaseModel):
    plan: int | None = None
    best_objective: int | None = None
    bound: float | None = None
    elapsed: float | None = None
    # Posts whose shortlist is final / posts filled by a move (all plans), while and
    # after a job with shortlist_time > 0 computes them.
    shortlists_done: int | None = None
    shortlists_total: int | None = None


JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]


class JobInfo(BaseModel):
    id: str
    scenario_id: str
    status: JobStatus
    progress: JobProgress
    params: dict[str, Any]
    error: str | None
    base_job_id: str | None
    cancel_requested: bool
    # Times the job was started: more than 1 after a server died while running it.
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class JobAccepted(BaseModel):
    id: str
    status: JobStatus
    scenario_id: str


class WhatIfAccepted(JobAccepted):
    base_scenario_id: str
    base_job_id: str


# --------------------------------------------------------------------------- what-if


IdText = Annotated[str, Field(max_length=MAX_ID_CHARS)]


class SetHeadcount(_Body):
    op: Literal["set_headcount"]
    position: IdText
    headcount: int = Field(ge=0, le=1_000_000)


class AbolishPosition(_Body):
    op: Literal["abolish_position"]
    position: IdText


class AddPosition(_Body):
    op: Literal["add_position"]
    row: dict[str, Any] = Field(max_length=MAX_ROW_KEYS,
                                description="Column: value, as in the positions table")


class RemoveEmployee(_Body):
    op: Literal["remove_employee"]
    nip: IdText


class AddEmployee(_Body):
    op: Literal["add_employee"]
    row: dict[str, Any] = Field(max_length=MAX_ROW_KEYS,
                                description="Column: value, as in the employees table")


class SetRules(_Body):
    op: Literal["set_rules"]
    rules: dict[str, Any] = Field(max_length=MAX_BLOCK_KEYS,
                                  description="Rules to change; null removes (= default)")


class SetWeights(_Body):
    op: Literal["set_weights"]
    weights: dict[str, Any] = Field(max_length=MAX_BLOCK_KEYS,
                                    description="Weights to change; null removes (= default)")


class SetScope(_Body):
    op: Literal["set_scope"]
    units: list[str] | None = Field(default=None, description="Units in the round; null = all")
    levels: list[int] | None = Field(default=None, description="Career levels 1-7 in the "
                                     "round; null = all")


class Lock(_Body):
    op: Literal["lock"]
    nip: IdText
    position: IdText


class Forbid(_Body):
    op: Literal["forbid"]
    nip: IdText
    position: IdText


class AddPreference(_Body):
    """Section 9: the employee lists ``position`` at ``rank`` (replaces that pair's rank)."""

    op: Literal["add_preference"]
    nip: str
    position: str
    rank: int = Field(ge=1, le=5)


class RemovePreference(_Body):
    op: Literal["remove_preference"]
    nip: str
    position: str


class SetIkm(_Body):
    """Section 9: the unit's IKM (a decimal 25.00-100.00 as text, e.g. "76.61"); null
    removes the unit's row."""

    op: Literal["set_ikm"]
    unit: str
    ikm: str | None


Edit = Annotated[
    SetHeadcount | AbolishPosition | AddPosition | RemoveEmployee | AddEmployee | SetRules
    | SetWeights | SetScope | Lock | Forbid | AddPreference | RemovePreference | SetIkm,
    Field(discriminator="op"),
]


class WhatIf(_Body):
    edits: list[Edit] = Field(min_length=1, max_length=10_000)
    plans: int | None = Field(default=None, ge=1)
    time_limit: float | None = Field(default=None, gt=0)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    shortlist_time: float = Field(default=0, ge=0, le=600, description=SHORTLIST_TIME)
    # Off by default: start the LP from the base scenario's solve kept in memory.
    # Same objectives and proofs; among equally scored plans another may be chosen.
    warm_start: bool = False


class WhatIfBatchCreate(_Body):
    variants: list[Annotated[list[Edit], Field(min_length=1, max_length=10_000)]] = Field(
        min_length=1, max_length=10_000,
        description="One list of what-if edits per variant (at most PENATA_MAX_BATCH_VARIANTS)")
    plans: int | None = Field(default=None, ge=1)
    time_limit: float | None = Field(default=None, gt=0,
                                     description="Seconds for each variant's solve")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class BatchJob(BaseModel):
    index: int
    id: str
    scenario_id: str


class WhatIfBatchAccepted(BaseModel):
    id: str
    status: Literal["queued"]
    scenario_id: str
    base_job_id: str
    jobs: list[BatchJob]


class BatchVariant(BaseModel):
    """One row of a batch's summary; the numbers once the variant is done: its plan 1
    against the base plan 1 (``moves_changed``: employees whose move differs)."""

    index: int
    job_id: str
    scenario_id: str
    status: JobStatus
    error: str | None
    objective: int | None = None
    objective_delta: int | None = None
    moves_added: int | None = None
    moves_dropped: int | None = None
    moves_changed: int | None = None


class WhatIfBatchInfo(BaseModel):
    id: str
    # queued: no variant started; running; done: none queued or running.
    status: Literal["queued", "running", "done"]
    scenario_id: str
    base_job_id: str
    created_at: dt.datetime
    variants: list[BatchVariant]


# --------------------------------------------------------------------------- plans


class PlanDiff(BaseModel):
    job: str
    rank: int
    other_job: str
    other_rank: int
    # The shape of solver.diff.plan_diff (also a plan's "diff" in plans.json).
    vs_rank: int
    objective_delta: int
    elsewhere: list[dict[str, Any]]
    moves_added: list[dict[str, Any]]
    moves_dropped: list[dict[str, Any]]
    only_in_a: list[str]
    only_in_b: list[str]
