"""LP relaxation of the model and the reduced costs that prune pairs.

For any dual vector with the right signs (μ >= 0 on upper bounds, λ >= 0 on lower
bounds, ν free on equalities), Lagrangian duality gives, for every plan x,

    objective(x) <= L − Σ_j  max(0, −rc_j) · x_j        (locks: x_j = 1 counted in L)

with ``rc = c − Aᵀ(μ − λ + ν)`` and ``L = μ·hi − λ·lo + ν·b + Σ max(rc_j, 0)``.
The duals come from HiGHS (through SciPy), but the bound ``L`` and the reduced
costs are recomputed here from whatever duals it returns, so the proof never
rests on the LP solver's accuracy: any sign-correct duals give a valid bound.
Likewise an infeasible LP counts only with a Farkas certificate that this module
checks over every pair (:func:`_farkas`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from solver.eligibility import Problem
from solver.model.constraints import INF, RowBlock, row_keys


@dataclass(frozen=True)
class LpBound:
    feasible: bool
    bound: float  # L, including the problem constant
    reduced_cost: np.ndarray  # rc_j per pair (<= 0 means "costs |rc_j| to use")
    x: np.ndarray | None  # LP primal solution
    wall: float
    rounds: int = 0  # column-generation rounds
    columns: int = 0  # pairs in the final LP
    warm: bool = False  # started from an earlier solve's LP (:class:`LpState`)
    # Infeasible LP proven by a checked Farkas certificate (:func:`_farkas`): the
    # (family, entity) of the rows it combines, plus every lock; empty otherwise.
    conflict: tuple[tuple[str, int], ...] = ()
    # The sign-corrected row multipliers the bound was computed from (one per row of
    # the blocks solved), when feasible: the side rows' prices for shortlists.
    duals: np.ndarray | None = None
    # The flow core's node potentials (solver.model.flow.potentials) when the bound came
    # from the core: a what-if of this problem starts from them (solver.reuse).
    potentials: np.ndarray | None = None


FIRST_ROUND_STRATEGY = 1  # dual simplex (the HiGHS default)
LATER_ROUNDS_STRATEGY: int | None = 4  # primal simplex
SEED_PER_EMPLOYEE = 6
SEED_PER_POSITION = 6
# Columns added per pricing round, best reduced cost first. Fewer per round keep the
# restricted LP smaller; at XL 20,000 took ~30% less simplex time than 50,000.
MAX_NEW_COLUMNS = 20_000
# Seeds taken by the transportation core's reduced costs (:class:`LpSeed`).
SEEDED_PER_EMPLOYEE = 12
SEEDED_PER_POSITION = 30
PRICE_TOLERANCE = 1e-6


def _top_k(keys: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best-scoring pairs of every key (employee or position)."""
    order = np.lexsort((-score, keys))
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    return order[rank < k]


def row_matrix(problem: Problem, blocks: Sequence[RowBlock]
               ) -> tuple[sparse.csc_matrix, np.ndarray, np.ndarray]:
    """The rows as a 0/1 matrix (rows x pairs) with their lower and upper bounds
    (an upper bound above the row's size is the size; no upper bound is inf).

    The result is shared (read-only): the last few are kept by the identity of their
    blocks, and a list that extends a kept one (the shortlists' lock row after a
    plan's rows) only appends its new rows, which at city scale costs a small
    fraction of building the whole matrix again."""
    n_pairs = len(problem.pairs)
    blocks = list(blocks)
    kept = _ROW_CACHE.find(blocks, n_pairs)
    if kept is not None and kept[0] == len(blocks):
        return kept[1]
    if kept is None:
        built = _rows_of(blocks, n_pairs)
    else:
        k, (head, head_lo, head_hi) = kept
        extra, extra_lo, extra_hi = _rows_of(blocks[k:], n_pairs)
        built = (_append_rows(head, extra), np.r_[head_lo, extra_lo], np.r_[head_hi, extra_hi])
    for array in (built[0].data, built[0].indices, built[0].indptr, built[1], built[2]):
        array.flags.writeable = False
    _ROW_CACHE.put(blocks, n_pairs, built)
    return built


def _rows_of(blocks: Sequence[RowBlock], n_pairs: int
             ) -> tuple[sparse.csc_matrix, np.ndarray, np.ndarray]:
    rows: list[np.ndarray] = []
    members: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    for block in blocks:
        for m, l_, h_ in zip(block.members, block.lo, block.hi, strict=True):
            rows.append(np.full(m.size, len(lo), dtype=np.int64))
            members.append(m)
            lo.append(float(l_))
            hi.append(float(min(h_, m.size)) if h_ < INF else np.inf)
    row_idx = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    col_idx = np.concatenate(members) if members else np.zeros(0, np.int64)
    a = sparse.csc_matrix((np.ones(row_idx.size), (row_idx, col_idx)),
                          shape=(len(lo), n_pairs))
    return a, np.array(lo, dtype=np.float64), np.array(hi, dtype=np.float64)


def _append_rows(head: sparse.csc_matrix, extra: sparse.csc_matrix) -> sparse.csc_matrix:
    """``vstack([head, extra])`` in CSC without re-sorting ``head``: every column keeps
    its entries and gets ``extra``'s after them (their rows come after ``head``'s, so
    each column stays sorted). One insertion pass over ``head``'s arrays: a what-if's
    lock row or a ranked plan's cut adds few entries to millions."""
    n_cols = head.shape[1]
    extra_count = np.diff(extra.indptr)
    indptr = head.indptr.astype(np.int64) + np.r_[0, np.cumsum(extra_count)]
    # Entry k of extra column c goes at the end of head's column c.
    at = np.repeat(head.indptr[1:].astype(np.int64), extra_count)
    indices = np.insert(head.indices.astype(np.int64, copy=False), at,
                        extra.indices.astype(np.int64) + head.shape[0])
    data = np.insert(head.data, at, extra.data)
    return sparse.csc_matrix((data, indices, indptr),
                             shape=(head.shape[0] + extra.shape[0], n_cols))


class _RowCache:
    """The last few row matrices, by the identity of their blocks (weak references:
    a block that is gone drops its entries)."""

    SIZE = 4

    def __init__(self) -> None:
        self.entries: list[tuple[list[weakref.ref[RowBlock]], int, Any]] = []
        self.lock = threading.Lock()

    def find(self, blocks: list[RowBlock], n_pairs: int) -> tuple[int, Any] | None:
        """(k, matrix of blocks[:k]) for the longest kept prefix of ``blocks``; the
        entry found becomes the most recently used. A kept list whose blocks after
        the shared prefix have no rows (a round without locks, whose what-if adds
        one) is the matrix of that prefix."""
        with self.lock:
            best, best_k = None, 0
            for i, (refs, n, _) in enumerate(self.entries):
                if n != n_pairs:
                    continue
                k = 0
                while k < min(len(refs), len(blocks)) and refs[k]() is blocks[k]:
                    k += 1
                rest = [r() for r in refs[k:]]
                if k > best_k and all(b is not None and len(b) == 0 for b in rest):
                    best, best_k = i, k
            if best is None:
                return None
            entry = self.entries.pop(best)
            self.entries.insert(0, entry)
            return best_k, entry[2]

    def put(self, blocks: list[RowBlock], n_pairs: int, built: Any) -> None:
        if not blocks:
            return
        with self.lock:
            alive = [e for e in self.entries if all(r() is not None for r in e[0])]
            self.entries = [([weakref.ref(b) for b in blocks], n_pairs, built),
                            *alive][:self.SIZE]


_ROW_CACHE = _RowCache()


def lagrangian_bound(problem: Problem, blocks: Sequence[RowBlock],
                     duals: np.ndarray) -> tuple[float, np.ndarray]:
    """``(L, rc)`` of the module docstring for row multipliers ``duals`` (one per row
    of ``blocks``, signs forced right here), ``L`` including the problem constant:
    a valid bound whatever produced the multipliers."""
    n_pairs = len(problem.pairs)
    lo_a, hi_a = _row_bounds(blocks)
    eq = lo_a == hi_a
    upper = ~eq & np.isfinite(hi_a)
    lower = ~eq & (lo_a > 0)
    bound, rc, _ = _lagrangian(_RowsTransposed(blocks, n_pairs),
                               problem.pairs.score.astype(np.float64),
                               problem.pairs.lock, np.asarray(duals, dtype=np.float64),
                               lo_a, hi_a, eq, upper, lower)
    return bound + problem.constant, rc


def _row_bounds(blocks: Sequence[RowBlock]) -> tuple[np.ndarray, np.ndarray]:
    """The rows' lower and upper bounds as :func:`row_matrix` gives them."""
    los, his = [], []
    for block in blocks:
        sizes = np.array([m.size for m in block.members], dtype=np.float64)
        hi = np.asarray(block.hi, dtype=np.float64)
        los.append(np.asarray(block.lo, dtype=np.float64))
        his.append(np.where(hi < INF, np.minimum(hi, sizes), np.inf))
    if not los:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(los), np.concatenate(his)


class _RowsTransposed:
    """``Aᵀ`` of the rows of ``blocks`` for :func:`_lagrangian`'s ``Aᵀ @ y``, one
    weighted count per block: at city scale building the sparse matrix (millions of
    entries, sorted) took most of a second the core's bound does not need."""

    def __init__(self, blocks: Sequence[RowBlock], n_pairs: int):
        self.blocks = blocks
        self.n_pairs = n_pairs

    def __matmul__(self, y: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n_pairs)
        at = 0
        for block in self.blocks:
            rows = len(block.members)
            values = y[at:at + rows]
            at += rows
            live = np.flatnonzero(values != 0)
            if live.size == 0:
                continue
            members = [block.members[i] for i in live]
            sizes = np.array([m.size for m in members], dtype=np.int64)
            out += np.bincount(np.concatenate(members), weights=np.repeat(values[live], sizes),
                               minlength=self.n_pairs)
        return out


@dataclass(frozen=True)
class LpSeed:
    """Where a cold LP starts: a plan of the transportation core (pair indices) and
    per-pair reduced costs from its potentials (:mod:`solver.model.flow`). Only the
    starting columns depend on it, never the bound."""

    plan: np.ndarray
    reduced_cost: np.ndarray


class LpTimeout(Exception):
    """The LP relaxation did not finish within its time limit."""


class LpState:
    """A HiGHS LP kept between solves, so a what-if starts from the last basis.

    The instance is re-targeted to each new problem: columns and rows are matched
    by name (NIP and position id, :func:`row_keys`), costs and bounds are reset,
    columns of pairs that no longer exist are fixed at 0, rows that changed are
    replaced. Whatever the state holds, the bound and reduced costs are
    recomputed from the new problem's own rows (module docstring), so a stale or
    mismatched state can cost speed but never validity. Not thread-safe: hold
    :attr:`lock` while solving.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next solve starts cold."""
        self.highs: Any = None
        self.nips = np.zeros(0, dtype=object)
        self.position_ids = np.zeros(0, dtype=object)
        self.col_emp = np.zeros(0, dtype=np.int64)  # per HiGHS column, index into nips
        self.col_pos = np.zeros(0, dtype=np.int64)
        self.matrix = sparse.csr_matrix((0, 0))  # HiGHS rows x HiGHS columns
        self.row_of: dict[tuple[object, ...], int] = {}
        self.row_lo = np.zeros(0)  # bounds HiGHS holds now, per row and column
        self.row_hi = np.zeros(0)
        self.col_cost = np.zeros(0)
        self.col_lo = np.zeros(0)
        self.col_hi = np.zeros(0)
        self.solves = 0

    @property
    def warm(self) -> bool:
        return self.highs is not None


def lp_bound(problem: Problem, blocks: Sequence[RowBlock], time_limit: float | None = None,
             state: LpState | None = None, seed: LpSeed | None = None) -> LpBound:
    """Solve the LP relaxation by column generation; return a verified Lagrangian bound.

    The LP starts on the stays, the locks and the best few pairs of every employee
    and position; each round prices every pair with the duals and adds those with a
    positive reduced cost to the same HiGHS instance (so the simplex warm-starts),
    until none is left. Any round's duals already give a valid bound (module
    docstring); the last one gives the LP optimum. With a warm ``state`` (from an
    earlier solve of a related scenario) the LP starts from that solve's columns
    and basis instead of the seeds. A cold LP with a ``seed`` (:class:`LpSeed`) starts
    from the transportation core's plan and its best pairs by the core's reduced
    costs instead: at XL about a third of the simplex iterations.
    """
    if state is None:
        return _lp_bound(problem, blocks, time_limit, LpState(), seed)
    try:
        started = time.perf_counter()
        result = _lp_bound(problem, blocks, time_limit, state, seed)
        if result.warm and not result.feasible and not result.conflict:
            # A warm LP that found its columns infeasible without a checked certificate
            # stops there and puts the shared instance back on its last good basis, so
            # the next what-if still starts warm. "Infeasible" ends the search for
            # plans, so it is decided by a cold LP of its own, thrown away afterwards.
            left = None if time_limit is None else time_limit - (time.perf_counter() - started)
            if left is not None and left <= 0:
                raise LpTimeout
            result = _lp_bound(problem, blocks, left, LpState())
        return result
    except BaseException:
        state.reset()  # a half-updated instance must not warm-start anything
        raise


def _lp_bound(problem: Problem, blocks: Sequence[RowBlock], time_limit: float | None,
              state: LpState, seed_from: LpSeed | None = None) -> LpBound:
    import highspy

    start = time.perf_counter()
    pairs = problem.pairs
    n = len(pairs)
    cost = pairs.score.astype(np.float64)
    a, lo_a, hi_a = row_matrix(problem, blocks)
    a_t = a.T  # the transpose of a CSC matrix is a CSR view: no copy
    eq = lo_a == hi_a
    upper = ~eq & np.isfinite(hi_a)
    lower = ~eq & (lo_a > 0)
    lock = pairs.lock

    warm = state.warm
    if not warm:
        with _quiet_stdout():  # HiGHS prints a banner on construction
            state.highs = highspy.Highs()
        state.highs.setOptionValue("output_flag", False)
        state.highs.setOptionValue("random_seed", 0)
        state.highs.setOptionValue("threads", 1)
        state.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    highs = state.highs
    inf = highs.getInfinity()
    saved_basis = highs.getBasis() if warm else None
    saved_cols = highs.getNumCol()
    saved_bounds = (state.col_lo.copy(), state.col_hi.copy())
    # Which HiGHS column is which pair (-1: none) and which HiGHS row is which row.
    col_of_pair, row_h = _retarget(state, problem, row_keys(problem, blocks), a, cost, lock,
                                   lo_a, hi_a, inf)
    in_lp = col_of_pair >= 0
    state.solves += 1

    def add(new: np.ndarray) -> None:
        new = new[~in_lp[new]]
        if new.size == 0:
            return
        in_lp[new] = True
        first = highs.getNumCol()
        col_of_pair[new] = first + np.arange(new.size)
        sub = a[:, new].tocoo()
        kept = row_h[sub.row] >= 0
        sub = sparse.csc_matrix((sub.data[kept], (row_h[sub.row[kept]], sub.col[kept])),
                                shape=(highs.getNumRow(), new.size))
        highs.addCols(new.size, cost[new], lock[new].astype(np.float64), np.ones(new.size),
                      sub.nnz, sub.indptr[:-1].astype(np.int32), sub.indices.astype(np.int32),
                      sub.data)
        state.col_emp = np.concatenate([state.col_emp, pairs.emp[new].astype(np.int64)])
        state.col_pos = np.concatenate([state.col_pos, pairs.pos[new].astype(np.int64)])
        state.col_cost = np.r_[state.col_cost, cost[new]]
        state.col_lo = np.r_[state.col_lo, lock[new].astype(np.float64)]
        state.col_hi = np.r_[state.col_hi, np.ones(new.size)]
        state.matrix = sparse.hstack([state.matrix, sub.tocsr()], format="csr")

    if warm:
        # The kept columns plus what a new or returning person or post needs to be
        # feasible at all: stays, locks, and the seeds of those without any column.
        has_emp = np.zeros(problem.n_employees, dtype=bool)
        has_emp[pairs.emp[in_lp]] = True
        has_pos = np.zeros(problem.n_positions, dtype=bool)
        has_pos[pairs.pos[in_lp]] = True
        add(np.flatnonzero(pairs.stay | lock))
        orphan = np.flatnonzero(~has_emp[pairs.emp])
        add(orphan[_top_k(pairs.emp[orphan], cost[orphan], SEED_PER_EMPLOYEE)])
        orphan = np.flatnonzero(~has_pos[pairs.pos])
        add(orphan[_top_k(pairs.pos[orphan], cost[orphan], SEED_PER_POSITION)])
    elif seed_from is not None:
        # The transportation core's plan and, by its reduced costs, the best pairs of
        # every employee and post: nearly the columns the LP ends with.
        seed = np.zeros(n, dtype=bool)
        seed[pairs.stay | lock] = True
        seed[seed_from.plan] = True
        seed[_top_k(pairs.emp, seed_from.reduced_cost, SEEDED_PER_EMPLOYEE)] = True
        seed[_top_k(pairs.pos, seed_from.reduced_cost, SEEDED_PER_POSITION)] = True
        add(np.flatnonzero(seed))
    else:
        seed = np.zeros(n, dtype=bool)
        seed[pairs.stay | lock] = True
        seed[_top_k(pairs.emp, cost, SEED_PER_EMPLOYEE)] = True
        seed[_top_k(pairs.pos, cost, SEED_PER_POSITION)] = True
        add(np.flatnonzero(seed))
    k_emp, k_pos = SEED_PER_EMPLOYEE, SEED_PER_POSITION
    # A changed model (new bounds) re-optimises best with dual simplex; new columns
    # keep the basis primal feasible, so later rounds continue with primal simplex.
    highs.setOptionValue("simplex_strategy", FIRST_ROUND_STRATEGY)
    rounds = 0
    deadline = None if time_limit is None else start + time_limit
    while True:
        rounds += 1
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise LpTimeout
            highs.setOptionValue("time_limit", left)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise LpTimeout
        if status == highspy.HighsModelStatus.kInfeasible:
            proof = _farkas(highs, a_t, row_h, lo_a, hi_a, lock, in_lp)
            if proof is not None and proof[0]:
                # Certified for every pair, not only those in the LP: no plan exists.
                conflict = _conflict_rows(blocks, proof[1])
                if warm:
                    _restore(state, saved_basis, saved_cols, saved_bounds)
                else:
                    state.reset()  # an infeasible model is nothing to warm-start from
                return LpBound(False, -np.inf, np.zeros(n), None, time.perf_counter() - start,
                               rounds=rounds, columns=int(in_lp.sum()), warm=warm,
                               conflict=conflict)
            if proof is not None and proof[1].size:
                # Pairs outside the LP that break the certificate: price them in.
                add(proof[1])
                continue
            if warm:
                _restore(state, saved_basis, saved_cols, saved_bounds)
                return LpBound(False, -np.inf, np.zeros(n), None, time.perf_counter() - start,
                               rounds=rounds, columns=int(in_lp.sum()), warm=True)
            if in_lp.all():
                # Every pair is in the LP now: too big and too stale to warm-start from.
                state.reset()
                return LpBound(False, -np.inf, np.zeros(n), None, time.perf_counter() - start,
                               rounds=rounds, columns=n, warm=warm)
            k_emp, k_pos = 4 * k_emp, 4 * k_pos
            add(_top_k(pairs.emp, cost, k_emp) if k_emp <= 1000 else np.arange(n))
            add(_top_k(pairs.pos, cost, k_pos))
            continue
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"LP relaxation failed: {highs.modelStatusToString(status)}")
        solution = highs.getSolution()
        # Rows left out of HiGHS (row_h = -1) take the appended 0.
        y = np.r_[np.asarray(solution.row_dual, dtype=np.float64), 0.0][row_h]
        rc = cost - a_t @ y
        positive = np.flatnonzero((rc > PRICE_TOLERANCE) & ~in_lp)
        if positive.size == 0:
            break
        if positive.size > MAX_NEW_COLUMNS:
            positive = positive[np.argsort(-rc[positive], kind="stable")[:MAX_NEW_COLUMNS]]
        add(positive)
        if LATER_ROUNDS_STRATEGY is not None:
            highs.setOptionValue("simplex_strategy", LATER_ROUNDS_STRATEGY)
    x = np.zeros(n)
    x[in_lp] = np.asarray(solution.col_value)[col_of_pair[in_lp]]
    bound, rc, duals = _lagrangian(a_t, cost, lock, y, lo_a, hi_a, eq, upper, lower)
    # HiGHS's dual sign convention under maximisation is not ours to assume: either
    # sign-corrected vector gives a valid bound, so keep the tighter one.
    other, rc_other, duals_other = _lagrangian(a_t, cost, lock, -y, lo_a, hi_a, eq, upper,
                                               lower)
    if other < bound:
        bound, rc, duals = other, rc_other, duals_other
    return LpBound(True, bound + problem.constant, rc, x, time.perf_counter() - start,
                   rounds=rounds, columns=int(in_lp.sum()), warm=warm, duals=duals)


def _retarget(state: LpState, problem: Problem, keys: list[tuple[object, ...]],
              a: sparse.csc_matrix, cost: np.ndarray, lock: np.ndarray, lo_a: np.ndarray,
              hi_a: np.ndarray, inf: float) -> tuple[np.ndarray, np.ndarray]:
    """Point the HiGHS instance of ``state`` at ``problem``.

    Returns the HiGHS column of every pair (-1 when not in the LP) and the HiGHS
    row of every row of ``a`` (-1 for rows left out of HiGHS). Kept columns get the new costs and bounds; columns
    of vanished pairs are fixed at 0; a row is kept when its name and its
    columns are unchanged, otherwise a new row is added and the old one freed.
    """
    import highspy

    highs = state.highs
    pairs = problem.pairs
    n_p = problem.n_positions
    n_cols = highs.getNumCol()
    emp_index = {nip: i for i, nip in enumerate(problem.nips)}
    pos_index = {pid: i for i, pid in enumerate(problem.position_ids)}
    emp_map = np.array([emp_index.get(nip, -1) for nip in state.nips], dtype=np.int64)
    pos_map = np.array([pos_index.get(pid, -1) for pid in state.position_ids], dtype=np.int64)
    pair_of_col = np.full(n_cols, -1, dtype=np.int64)
    if n_cols:
        # Columns of vanished pairs carry -1, which must not index from the end.
        e = np.where(state.col_emp >= 0, emp_map[state.col_emp], -1)
        p = np.where(state.col_pos >= 0, pos_map[state.col_pos], -1)
        known = (e >= 0) & (p >= 0)
        codes = pairs.emp.astype(np.int64) * n_p + pairs.pos  # sorted: pairs are sorted
        wanted = e * n_p + p
        at = np.minimum(np.searchsorted(codes, wanted), max(0, codes.size - 1))
        found = known & (codes[at] == wanted) if codes.size else np.zeros(n_cols, dtype=bool)
        # Two columns may name one pair (a pair that vanished and came back): the
        # first keeps it, the other stays fixed at 0.
        cols = np.flatnonzero(found)
        _, first = np.unique(at[cols], return_index=True)
        pair_of_col[cols[first]] = at[cols[first]]
        state.col_emp = np.where(pair_of_col >= 0, pairs.emp[np.maximum(pair_of_col, 0)], -1)
        state.col_pos = np.where(pair_of_col >= 0, pairs.pos[np.maximum(pair_of_col, 0)], -1)
    state.nips, state.position_ids = problem.nips, problem.position_ids
    col_of_pair = np.full(len(pairs), -1, dtype=np.int64)
    live = np.flatnonzero(pair_of_col >= 0)
    col_of_pair[pair_of_col[live]] = live

    # Rows: keep those whose name and live columns are unchanged. A lock's row is
    # left out: its column's bounds [1, 1] already say it, and rows that come and go
    # with each what-if would cost HiGHS its basis. Its dual is then 0.
    n_rows = a.shape[0]
    row_h = np.full(n_rows, -1, dtype=np.int64)
    outside = np.array([k[0] == "lock" for k in keys], dtype=bool)
    a_live = a[:, pair_of_col[live]].tocsr() if live.size else sparse.csr_matrix((n_rows, 0))
    old_live = state.matrix[:, live].tocsr() if live.size else sparse.csr_matrix(
        (state.matrix.shape[0], 0))
    matched = np.array([state.row_of.get(k, -1) for k in keys], dtype=np.int64)
    has = np.flatnonzero((matched >= 0) & ~outside)
    if has.size:
        diff = (a_live[has] - old_live[matched[has]]).tocsr()
        diff.eliminate_zeros()
        same = np.diff(diff.indptr) == 0
        row_h[has[same]] = matched[has[same]]
    new_rows = np.flatnonzero((row_h < 0) & ~outside)
    if new_rows.size:
        block = a_live[new_rows]
        first = highs.getNumRow()
        highs.addRows(new_rows.size, np.full(new_rows.size, -inf), np.full(new_rows.size, inf),
                      block.nnz, block.indptr[:-1].astype(np.int32),
                      live[block.indices].astype(np.int32), block.data)
        row_h[new_rows] = first + np.arange(new_rows.size)
        state.row_lo = np.r_[state.row_lo, np.full(new_rows.size, -inf)]
        state.row_hi = np.r_[state.row_hi, np.full(new_rows.size, inf)]
        grown = sparse.csr_matrix((block.data, live[block.indices], block.indptr),
                                  shape=(new_rows.size, n_cols))
        state.matrix = sparse.vstack([state.matrix, grown], format="csr")
    row_lo = np.full(highs.getNumRow(), -inf)
    row_hi = np.full(highs.getNumRow(), inf)
    inside = row_h >= 0
    row_lo[row_h[inside]] = np.where(lo_a > -np.inf, lo_a, -inf)[inside]
    row_hi[row_h[inside]] = np.where(np.isfinite(hi_a), hi_a, inf)[inside]
    moved = np.flatnonzero((row_lo != state.row_lo) | (row_hi != state.row_hi))
    if moved.size:
        highs.changeRowsBounds(moved.size, moved.astype(np.int32), row_lo[moved], row_hi[moved])
    state.row_lo, state.row_hi = row_lo, row_hi
    state.row_of = {k: int(r) for k, r in zip(keys, row_h, strict=True) if r >= 0}

    if n_cols:
        safe = np.maximum(pair_of_col, 0)
        new_cost = np.where(pair_of_col >= 0, cost[safe], 0.0)
        new_lo = np.where(pair_of_col >= 0, lock[safe].astype(np.float64), 0.0)
        new_hi = np.where(pair_of_col >= 0, 1.0, 0.0)
        # Only what changed: every change costs HiGHS part of its warm start.
        moved = np.flatnonzero(new_cost != state.col_cost)
        if moved.size:
            highs.changeColsCost(moved.size, moved.astype(np.int32), new_cost[moved])
        moved = np.flatnonzero((new_lo != state.col_lo) | (new_hi != state.col_hi))
        if moved.size:
            highs.changeColsBounds(moved.size, moved.astype(np.int32), new_lo[moved],
                                   new_hi[moved])
            # A column whose bounds changed (a lock lifted, a pair gone) can sit at a
            # bound that no longer holds or whose dual sign is wrong; HiGHS then drops
            # the basis and starts over. Nonbasic at its lower bound keeps the basis
            # dual feasible enough for dual simplex to repair it in a few pivots.
            basis = highs.getBasis()
            status = basis.col_status
            for c in moved.tolist():
                if status[c] != highspy.HighsBasisStatus.kBasic:
                    status[c] = highspy.HighsBasisStatus.kLower
            basis.col_status = status
            highs.setBasis(basis)
        state.col_cost, state.col_lo, state.col_hi = new_cost, new_lo, new_hi
    return col_of_pair, row_h


def _restore(state: LpState, basis: Any, n_cols: int,
             bounds: tuple[np.ndarray, np.ndarray]) -> None:
    """Undo an infeasible warm solve's growth: drop the columns it added (so later
    what-ifs do not carry them) and put back the basis saved before it, new rows'
    slacks basic (still one basic per row). The bounds stay those of the infeasible
    scenario, so columns whose bounds changed get the same fix as in re-targeting."""
    import highspy

    highs = state.highs
    extra = highs.getNumCol() - n_cols
    if extra > 0:
        highs.deleteCols(extra, np.arange(n_cols, n_cols + extra, dtype=np.int32))
        state.col_emp, state.col_pos = state.col_emp[:n_cols], state.col_pos[:n_cols]
        state.col_cost, state.col_lo = state.col_cost[:n_cols], state.col_lo[:n_cols]
        state.col_hi = state.col_hi[:n_cols]
        state.matrix = state.matrix[:, :n_cols].tocsr()
    cols = list(basis.col_status)
    rows = list(basis.row_status)
    lo, hi = bounds
    changed = np.flatnonzero((state.col_lo[:lo.size] != lo) | (state.col_hi[:hi.size] != hi))
    for c in changed.tolist():
        if cols[c] != highspy.HighsBasisStatus.kBasic:
            cols[c] = highspy.HighsBasisStatus.kLower
    cols += [highspy.HighsBasisStatus.kLower] * (highs.getNumCol() - len(cols))
    rows += [highspy.HighsBasisStatus.kBasic] * (highs.getNumRow() - len(rows))
    basis.col_status = cols
    basis.row_status = rows
    highs.setBasis(basis)


def _farkas(highs: Any, a_t: sparse.csr_matrix, row_h: np.ndarray, lo_a: np.ndarray,
            hi_a: np.ndarray, lock: np.ndarray, in_lp: np.ndarray,
            ) -> tuple[bool, np.ndarray] | None:
    """Check HiGHS's dual ray as a proof of infeasibility over every pair.

    For row multipliers ``y`` and any x meeting the rows, ``Σ_i y_i (Ax)_i <= U`` with
    ``U = Σ_{y_i>0} y_i hi_i + Σ_{y_i<0} y_i lo_i``, while ``Σ_j (Aᵀy)_j x_j >= V``, the
    least that sum can be over the column bounds (``lock_j <= x_j <= 1``). ``V > U``
    proves no x exists, in the LP and so in integers. The check is ours, over all
    pairs, for ``y`` and ``−y`` (HiGHS's sign convention is not assumed), and for single
    rows that cannot hold on their own. Returns (True, y) when proven, else (False,
    pairs outside the LP that break the proof for the multipliers HiGHS gave), or None
    when HiGHS cannot be asked.
    """
    try:
        _, has_ray, ray = highs.getDualRay()
        if not has_ray:
            # Presolve found it and left no ray: once more without presolve.
            highs.setOptionValue("presolve", "off")
            try:
                highs.run()
                _, has_ray, ray = highs.getDualRay()
            finally:
                highs.setOptionValue("presolve", "choose")
    except Exception:  # a faster route only; the caller falls back
        return None
    candidates: list[np.ndarray] = []
    if has_ray:
        base = np.r_[np.asarray(ray, dtype=np.float64), 0.0][row_h]
        candidates += [base, -base]
    # Rows that fail on their own (more required than members, more locked than allowed).
    members = np.asarray(a_t.sum(axis=0)).ravel()
    locked = np.asarray(a_t[lock].sum(axis=0)).ravel() if lock.any() else np.zeros(len(lo_a))
    for i in np.flatnonzero(members < lo_a)[:1]:
        candidates.append(-np.eye(1, len(lo_a), int(i)).ravel())
    for i in np.flatnonzero(locked > hi_a)[:1]:
        candidates.append(np.eye(1, len(lo_a), int(i)).ravel())
    breakers = np.zeros(0, dtype=np.int64)
    for y in candidates:
        y = np.where(np.abs(y) > 1e-9, y, 0.0)
        if np.any((y > 0) & ~np.isfinite(hi_a)):
            continue
        upper = float(y[y > 0] @ hi_a[y > 0] + y[y < 0] @ lo_a[y < 0])
        c = a_t @ y
        least = np.where(c < 0, c, c * lock)
        scale = 1.0 + float(np.abs(y) @ np.where(np.isfinite(hi_a), np.abs(hi_a), 0) +
                            np.abs(y) @ np.abs(lo_a) + np.abs(least).sum())
        if float(least.sum()) > upper + 1e-9 * scale:
            return True, y
        # Does it hold on the LP's own columns? Then the outside pairs break it.
        if float(least[in_lp].sum()) > upper + 1e-9 * scale:
            out = np.flatnonzero(~in_lp & (c < 0))
            if out.size > MAX_NEW_COLUMNS:
                out = out[np.argsort(c[out], kind="stable")[:MAX_NEW_COLUMNS]]
            breakers = out
    return False, breakers


def _conflict_rows(blocks: Sequence[RowBlock], y: np.ndarray) -> tuple[tuple[str, int], ...]:
    """(family, entity) of the rows a proof of infeasibility uses, plus the locks
    (their bounds take part in it too)."""
    keys: list[tuple[str, int]] = []
    i = 0
    for block in blocks:
        for entity in block.entity:
            if y[i] != 0 or block.family == "lock":
                keys.append((block.family, int(entity)))
            i += 1
    return tuple(keys)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _lagrangian(a_t: sparse.csr_matrix | _RowsTransposed, cost: np.ndarray, lock: np.ndarray, y: np.ndarray,
                lo_a: np.ndarray, hi_a: np.ndarray, eq: np.ndarray, upper: np.ndarray,
                lower: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Bound ``L``, reduced costs and the sign-corrected duals for duals ``y``."""
    y = y.copy()
    y[~eq & ~upper] = np.minimum(y[~eq & ~upper], 0)  # only a lower bound: y <= 0
    y[~eq & ~lower] = np.maximum(y[~eq & ~lower], 0)  # only an upper bound: y >= 0
    rc = cost - a_t @ y
    mu = np.maximum(y, 0)
    lam = np.maximum(-y, 0)
    bound = float(mu[upper | eq] @ hi_a[upper | eq] - lam[lower | eq] @ lo_a[lower | eq])
    bound += float(np.maximum(rc[~lock], 0).sum() + rc[lock].sum())
    return bound, rc, y
