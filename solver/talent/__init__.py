"""Talent and development outputs of a solve, off the objective (issue 16).

:mod:`solver.talent.succession`
    Succession lists for the critical posts (PermenPANRB 3/2020): who could be
    appointed if the post fell vacant, from the agency succession group (9-box 7, 8, 9).
:mod:`solver.talent.training`
    The training plan after placement (analisis kebutuhan pelatihan, AKP) of one plan.

Both are pure functions of the validated scenario and a plan, returning plain data
(lists and dicts of str/int/bool) that writers only serialise. Neither changes any
plan: the objective never sees them.
"""
