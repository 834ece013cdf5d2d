"""``penata import siasn``: read every source, check everything, then write the scenario.

Nothing is written unless every file reads cleanly: problems of all files are collected
and raised together as one :class:`solver.io.InputError` (the CLI prints them and exits
2). Findings that do not make the round wrong (an unknown NIP in the kinerja file, a
post with more holders than KEBUTUHAN) go into the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from solver.importer import competencies, education, pegawai, peta, records, report
from solver.importer.context import Context
from solver.importer.headers import Renames, load_map
from solver.importer.problems import Problems
from solver.importer.scenario_files import (
    ASSESSMENTS,
    EMPLOYEES,
    POSITIONS,
    REPORT_JSON,
    REPORT_MD,
    SCENARIO,
    csv_text,
    scenario_yaml,
    write_all,
)
from solver.importer.tables import Sheet, read_sheet
from solver.scenario import GRADE_RANK

# What a missing source defaults to, chosen so nobody gains by a gap (issue 13).
NO_RATING = "butuh_perbaikan"
NO_POTENTIAL = "rendah"


@dataclass(frozen=True)
class Sources:
    """The export files of one round; only pegawai and peta_jabatan are required."""

    pegawai: Path
    peta_jabatan: Path
    kinerja: Path | None = None
    talenta: Path | None = None
    hukdis: Path | None = None
    kompetensi: Path | None = None
    standar_kompetensi: Path | None = None
    seleksi: Path | None = None
    kamus_pendidikan: Path | None = None
    map: Path | None = None


@dataclass
class Imported:
    files: dict[str, str]  # file name -> text, in write order
    report: report.Report


def _sheets(sources: Sources, renames: Renames, problems: Problems) -> dict[str, Sheet]:
    sheets: dict[str, Sheet] = {}
    for role in ("pegawai", "peta_jabatan", "kinerja", "talenta", "hukdis", "kompetensi",
                 "standar_kompetensi", "seleksi", "kamus_pendidikan"):
        path: Path | None = getattr(sources, role)
        if path is None:
            continue
        sheet = read_sheet(Path(path), Path(path).name, renames.get(role, {}), problems)
        if sheet is not None:
            sheets[role] = sheet
    return sheets


def build(sources: Sources, as_of: dt.date, name: str | None = None) -> Imported:
    """Read and check every source; return the files to write. Raises InputError."""
    problems = Problems()
    renames = load_map(Path(sources.map), problems) if sources.map else {}
    title = name or f"Impor SIASN {as_of.isoformat()}"
    rep = report.Report(name=title, as_of=as_of.isoformat())
    ctx = Context(problems, rep)
    sheets = _sheets(sources, renames, problems)
    if "pegawai" not in sheets or "peta_jabatan" not in sheets:
        problems.raise_if_any()

    own_kamus = (records.read_kamus(sheets["kamus_pendidikan"], ctx)
                 if "kamus_pendidikan" in sheets else {})
    kamus = {**education.BUILT_IN, **own_kamus}
    posts = peta.read(sheets["peta_jabatan"], ctx)
    post_ids = {p.id for p in posts} | _all_ids(sheets["peta_jabatan"])
    post_units = {p.id: p.unit for p in posts}
    people = pegawai.read(sheets["pegawai"], ctx, post_ids, kamus, post_units)
    nips = {p.nip for p in people} | _active_nips(sheets["pegawai"])

    def side(role: str, reader, *args):  # type: ignore[no-untyped-def]
        return reader(sheets[role], ctx, *args) if role in sheets else None

    ratings = side("kinerja", records.read_kinerja, nips)
    potentials = side("talenta", records.read_talenta, nips)
    sanctions = side("hukdis", records.read_hukdis, nips) or {}
    assessed = side("kompetensi", records.read_kompetensi, nips)
    standards = side("standar_kompetensi", records.read_standar, post_ids)
    selection = side("seleksi", records.read_seleksi, nips, post_ids)
    problems.raise_if_any()

    files = {
        EMPLOYEES: _employees(people, ratings, potentials, sanctions, assessed or {}, rep, as_of),
        POSITIONS: _positions(posts, standards, rep),
    }
    if selection is not None:
        files[ASSESSMENTS] = csv_text(["nip", "position", "score"], selection)
        rep.written[ASSESSMENTS] = len(selection)
    files[SCENARIO] = scenario_yaml(title, as_of.isoformat(), selection is not None)
    _holder_checks(posts, people, rep)
    _file_counts(sheets, rep, people, posts, ratings, potentials, sanctions, assessed,
                 standards, selection, own_kamus)
    files[REPORT_JSON] = report.write_json(rep)
    files[REPORT_MD] = report.write_markdown(rep)
    return Imported(files, rep)


def import_siasn(sources: Sources, as_of: dt.date, out: Path,
                 name: str | None = None) -> Imported:
    """Build the scenario and write it into ``out``. Raises InputError (nothing written)
    or OSError (writing failed; no file is left half-written)."""
    imported = build(sources, as_of, name)
    write_all(Path(out), imported.files)
    return imported


def _all_ids(sheet: Sheet) -> set[str]:
    """Every JABATAN ID the peta jabatan names, even on a row with another problem, so
    one bad cell there does not also fail every pegawai row pointing at the post."""
    return {pid for pid in sheet.column("jabatan id") if pid}


def _active_nips(sheet: Sheet) -> set[str]:
    """NIPs of active pegawai rows, valid or not yet placed: a kinerja row for a pegawai
    whose own row has a problem is not also reported as unknown."""
    column = pegawai.nip_column(sheet)
    if column is None:
        return set()
    from solver.importer.cells import nip

    status = sheet.column("kedudukan hukum nama")
    return {n for n, s in zip((nip(t) for t in sheet.column(column)), status, strict=True)
            if n and (not s or s.strip().lower() == pegawai.ACTIVE)}


def _employees(people: list[pegawai.Pegawai], ratings: dict[str, str] | None,
               potentials: dict[str, str] | None, sanctions: dict[str, dt.date],
               assessed: dict[str, dict[str, int]], rep: report.Report, as_of: dt.date) -> str:
    header = ["nip", "name", "grade", "current_position", "position_since", "birth_date",
              "current_level", "education_field", "performance", "potential",
              "discipline_until", *(f"c.{k}" for k in competencies.KEYS)]
    rows = []
    for p in people:
        rating = (ratings or {}).get(p.nip)
        if rating is None:
            rating = NO_RATING
            rep.defaults[f"performance = {NO_RATING} (tidak ada nilai SKP di kinerja)"] += 1
        potential = (potentials or {}).get(p.nip)
        if potential is None:
            potential = NO_POTENTIAL
            rep.defaults[f"potential = {NO_POTENTIAL} (tidak ada di talenta)"] += 1
        until = sanctions.get(p.nip)
        if until is not None and until < as_of:
            rep.notes["hukdis: hukuman sedang/berat sudah berakhir sebelum as_of"] += 1
        levels = assessed.get(p.nip)
        if levels is None:
            rep.defaults["kompetensi belum diases (semua kompetensi 0)"] += 1
        comps = ["" if not levels or not levels[k] else str(levels[k]) for k in competencies.KEYS]
        rows.append([p.nip, p.name, p.grade, p.position,
                     p.position_since.isoformat() if p.position_since else "",
                     p.birth_date.isoformat(), str(p.level) if p.level else "",
                     p.education_field, rating, potential,
                     until.isoformat() if until else "", *comps])
    rep.written[EMPLOYEES] = len(rows)
    return csv_text(header, rows)


def _positions(posts: list[peta.Post], standards: dict[str, dict[str, int]] | None,
               rep: report.Report) -> str:
    header = ["id", "title", "unit", "level", "grade_min", "grade_max", "headcount",
              "must_fill", "priority", "education_fields", "education_required",
              "retirement_age", *(f"c.{k}" for k in competencies.KEYS), "applicants_only"]
    # The critical column only when the peta jabatan marks posts (KRITIS): imports of
    # exports without it write the same positions.csv as before.
    critical = any(post.critical for post in posts)
    if critical:
        header.append("critical")
    rows = []
    defaulted = 0
    for post in posts:
        levels = (standards or {}).get(post.id)
        if levels is None:
            defaulted += 1
            level = competencies.DEFAULT_STANDARD[post.level]
            levels = {k: level for k in competencies.KEYS}
        rows.append([post.id, post.title, post.unit, post.level, post.grade_min,
                     post.grade_max, post.headcount, _bool(post.must_fill), post.priority,
                     post.education_fields, _bool(post.education_required),
                     post.retirement_age, *(levels[k] for k in competencies.KEYS),
                     _bool(post.applicants_only),
                     *([_bool(post.critical)] if critical else [])])
    if defaulted:
        rep.defaults["standar kompetensi bawaan per level (tidak ada baris SKJ)"] = defaulted
        table = ", ".join(f"level {lv}: {v}" for lv, v in competencies.DEFAULT_STANDARD.items())
        rep.assumptions.append(
            f"{defaulted} jabatan tanpa baris standar kompetensi memakai standar bawaan per "
            f"level untuk kesembilan kompetensi ({table}); tabel per level PermenPANRB 38/2017 "
            "belum dikonfirmasi, jadi ini asumsi: lengkapi --standar-kompetensi bila ada.")
    rep.written[POSITIONS] = len(rows)
    return csv_text(header, rows)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _holder_checks(posts: list[peta.Post], people: list[pegawai.Pegawai],
                   rep: report.Report) -> None:
    by_id = {p.id: p for p in posts}
    holders: dict[str, int] = {}
    for person in people:
        post = by_id.get(person.position)
        if post is None:
            continue
        holders[post.id] = holders.get(post.id, 0) + 1
        rank = GRADE_RANK[person.grade]
        if not GRADE_RANK[post.grade_min] <= rank <= GRADE_RANK[post.grade_max]:
            rep.outside_range.append({"nip": person.nip, "position": post.id,
                                      "grade": person.grade,
                                      "range": f"{post.grade_min}-{post.grade_max}"})
    for post in posts:
        if holders.get(post.id, 0) > post.headcount:
            rep.over_headcount.append({"position": post.id, "title": post.title,
                                       "headcount": post.headcount,
                                       "holders": holders[post.id]})


def _file_counts(sheets: dict[str, Sheet], rep: report.Report, people, posts, ratings,  # type: ignore[no-untyped-def]
                 potentials, sanctions, assessed, standards, selection, kamus) -> None:
    used = {
        "pegawai": len(people), "peta_jabatan": len(posts),
        "kinerja": len(ratings or {}), "talenta": len(potentials or {}),
        "hukdis": len(sanctions), "kompetensi": len(assessed or {}),
        "standar_kompetensi": len(standards or {}), "seleksi": len(selection or []),
        "kamus_pendidikan": len(kamus),
    }
    for role, sheet in sheets.items():
        rep.count_file(role, sheet.label, len(sheet), used[role])
