"""Committee review: explanations, shortlists, decisions and the review packet.

Modules
-------
explain
    :func:`~solver.review.explain.explain_plans` adds ``jpm``, ``band``/``mapping``,
    ``fit``, ``fit_source``, ``score``, ``gaps``, ``training`` and ``reasons`` to every
    assignment of a ``plans.json`` document, and a ``diff`` against plan 1
    (:func:`~solver.review.explain.plan_diff`) to every later plan.
shortlist
    :func:`~solver.review.shortlist.shortlists`: per plan and post filled by a move,
    the holder(s) and the next best people by exact objective loss (re-solves, proven).
decisions
    :func:`~solver.review.decisions.decide`: approvals become locks, rejections
    forbids, with a hash-chained audit log beside the scenario (``penata decide``,
    ``penata audit``, ``POST/GET /api/v1/scenarios/{id}/decisions``).
packet
    :func:`~solver.review.packet.write_review_packet` (``plans.xlsx``, ``review.html``)
    serialises a document of :mod:`solver.document` (explanations + shortlists).
"""
