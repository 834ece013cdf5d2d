"""The objective of docs/model.md section 6: pair scores, the constant, a plan's value.

::

    score(e,p) = W.fit · m(p) · fit(e,p) + W.preference · pref(e,p)   (m, pref: section 9)
               + W.education · edu(e,p)
               + W.talent · promo(e,p) · bonus(e)
               − W.move · move(e,p) − W.overstay · over(e,p)
               + W.vacancy · priority(p)
    objective  = Σ score(e,p) · x[e,p]  −  W.vacancy · Σ_{p∈S} priority(p) · headcount(p)

Every back end (CP-SAT, the LP relaxation, the shortlists) maximises these scores
and reports :func:`plan_objective`. The terms' inputs (fit, edu, promo, bonus,
stay, overstay, and section 9's m(p) and pref) are computed per pair in
:mod:`solver.eligibility`; a new term is added here, in one place. :mod:`solver.check` recomputes the formula on its own, on purpose.
"""

from __future__ import annotations

import numpy as np

from solver.scenario import Weights


def pair_scores(weights: Weights, *, fit: np.ndarray, education: np.ndarray,
                promotion: np.ndarray, talent_bonus: np.ndarray, stay: np.ndarray,
                overstay: np.ndarray, priority: np.ndarray, fit_multiplier: np.ndarray,
                preference: np.ndarray) -> np.ndarray:
    """``score(e,p)`` for aligned per-pair arrays (int64).

    ``fit`` is the assessment score or jpm; ``education``, ``promotion``, ``stay`` and
    ``overstay`` are booleans; ``talent_bonus`` is ``bonus(e)`` and ``priority`` is
    ``priority(p)`` of each pair. Section 9: ``fit_multiplier`` is ``m(p)`` (1 unless the
    post's unit has an IKM below ``low_ikm_below``) and ``preference`` is
    ``pref(e,p) = 6 − rank`` (0 for an unlisted pair).
    """
    score = (weights.fit * fit_multiplier * fit + weights.preference * preference
             + weights.education * education.astype(np.int64)
             + weights.talent * promotion.astype(np.int64) * talent_bonus
             - weights.move * (~stay).astype(np.int64)
             - weights.overstay * overstay.astype(np.int64)
             + weights.vacancy * priority)
    return score.astype(np.int64)


def objective_constant(weights: Weights, priority: np.ndarray, headcount: np.ndarray,
                       in_scope: np.ndarray) -> int:
    """``− W.vacancy · Σ_{p∈S} priority(p) · headcount(p)``: every seat starts empty."""
    return -weights.vacancy * int((priority * headcount)[in_scope].sum())


def plan_objective(scores: np.ndarray, constant: int, chosen: np.ndarray) -> int:
    """The objective of the plan whose pairs (indices into ``scores``) are ``chosen``."""
    return int(scores[chosen].sum()) + constant
