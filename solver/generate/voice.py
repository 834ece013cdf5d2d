"""Section 9 inputs for a generated scenario: career preferences and IKM per unit.

Only made when asked (``Profile.voice`` or :func:`add_voice`), and from a random
stream of their own (``default_rng([seed, 14])``), so a scenario generated without
them keeps every byte it had, and the same scenario with them differs only by the
two extra tables.

Preferences follow what a career-preference form (PermenPANRB 3/2020) gathers:
most people in the round list one to three posts, nearly all near their own level
(the same level or one step up) and mostly in their own unit; some put their own
post first ("I would rather stay"); a few list five. People outside the planning
round's levels rarely fill the form.

IKM per unit (Survei Kepuasan Masyarakat, PermenPANRB 14/2017): a draw around 81
(grade B), spread so that about one unit in five falls below 76.61 (grade C) and a
few above 88.31 (grade A). Published unit reports sit in that band (a kecamatan
office in Medan 72.43, a regency water company 75.01, a village office 77.37); no
city-wide Binjai table was found, so the values are synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

VOICE_STREAM = 14  # second seed word: the preference stream never touches the roster's
CHOICES_P = (0.40, 0.30, 0.18, 0.07, 0.05)  # how many posts a respondent lists, 1..5
OWN_UNIT = 39.0  # extra weight of a post in the respondent's own unit
OWN_POST_FIRST = 0.15  # share of placed respondents who list their own post first
RESPOND_IN_ROUND = 0.65  # share of people at the round's levels who fill the form
RESPOND_OUTSIDE = 0.05  # share of everyone else
IKM_MEAN, IKM_SD, IKM_LOW, IKM_HIGH = 81.0, 5.5, 55.0, 97.0


def voice_rng(seed: int) -> np.random.Generator:
    """The random stream of the section 9 tables for generator seed ``seed``."""
    return np.random.default_rng([seed, VOICE_STREAM])


def preferences_table(positions: pd.DataFrame, employees: pd.DataFrame,
                      scope_levels: tuple[int, ...] | None, rng: np.random.Generator,
                      must_list: dict[int, int] | None = None) -> pd.DataFrame:
    """Career preferences ``nip, position, rank`` (internal generator frames in, CSV rows out).

    ``must_list`` maps employee rows to position rows that the employee certainly
    lists (a voluntary round's volunteers for must-fill posts); each goes in at rank 1
    unless the respondent put their own post first.
    """
    must_list = must_list or {}
    p_level = positions["level"].to_numpy()
    p_unit = positions["unit"].to_numpy()
    p_gmin, p_gmax = positions["gmin"].to_numpy(), positions["gmax"].to_numpy()
    open_post = positions["headcount"].to_numpy() > 0
    ids = positions["id"].to_numpy()
    cur = employees["pos"].to_numpy()
    placed = cur >= 0
    level = np.where(placed, p_level[np.maximum(cur, 0)], employees["clevel"].to_numpy())
    unit = np.where(placed, p_unit[np.maximum(cur, 0)], "")
    grade = employees["grade"].to_numpy()
    levels = set(scope_levels) if scope_levels is not None else set(range(1, 8))
    in_round = np.isin(level, sorted(levels)) | np.isin(level + 1, sorted(levels))
    respond = rng.random(len(employees)) < np.where(in_round, RESPOND_IN_ROUND, RESPOND_OUTSIDE)
    respond[list(must_list)] = True
    n_choices = rng.choice(np.arange(1, 6), size=len(employees), p=CHOICES_P)
    own_first = placed & (rng.random(len(employees)) < OWN_POST_FIRST)
    rows: list[tuple[str, str, int]] = []
    nips = employees["nip"].to_numpy()
    for e in map(int, np.flatnonzero(respond)):
        near = open_post & (p_level >= level[e]) & (p_level <= level[e] + 1)
        if placed[e]:
            near[cur[e]] = False  # the own post is listed only as "I would rather stay"
        # weights: own unit x40 (a city has ~30 OPD, so about half the choices stay in
        # the own OPD), same level x2, a post whose grade range admits them x3
        weight = near * (1.0 + OWN_UNIT * (p_unit == unit[e])) * (1.0 + (p_level == level[e])) \
            * (1.0 + 2.0 * ((p_gmin <= grade[e]) & (grade[e] <= p_gmax)))
        listed: list[int] = []
        if own_first[e]:
            listed.append(int(cur[e]))
        if e in must_list and must_list[e] not in listed:
            listed.append(int(must_list[e]))
        wanted = int(n_choices[e]) - len(listed)
        if wanted > 0 and weight.sum() > 0:
            weight[listed] = 0.0
            k = min(wanted, int((weight > 0).sum()))
            picks = rng.choice(len(ids), size=k, replace=False, p=weight / weight.sum())
            listed.extend(int(p) for p in picks)
        for rank, p in enumerate(listed[:5], start=1):
            rows.append((str(nips[e]), str(ids[p]), rank))
    frame = pd.DataFrame(rows, columns=["nip", "position", "rank"])
    return frame.sort_values(["nip", "rank"], kind="stable").reset_index(drop=True)


def units_table(positions: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """IKM per unit, two decimals, in the order units first appear in the position map."""
    units = list(dict.fromkeys(positions["unit"]))
    draw = np.clip(rng.normal(IKM_MEAN, IKM_SD, len(units)), IKM_LOW, IKM_HIGH)
    hundredths = np.round(draw * 100).astype(np.int64)
    return pd.DataFrame({"unit": units, "ikm": [f"{h // 100}.{h % 100:02d}" for h in hundredths]})
