"""The files joined to pegawai by NIP or JABATAN ID: kinerja, talenta, hukdis,
kompetensi, standar kompetensi, seleksi, and the kamus pendidikan.

A NIP that is not in pegawai (or was left out of it) is reported and its row skipped; a
JABATAN ID missing from the peta jabatan is an error, as is anything that leaves two
answers for one person (two ratings for one year, two potentials, two assessments).
"""

from __future__ import annotations

import datetime as dt
import re

from solver.importer import cells, competencies, dates, education
from solver.importer.context import Context
from solver.importer.pegawai import NIP_COLUMNS
from solver.importer.tables import Sheet, require

PREDIKAT = {"sangat baik": "sangat_baik", "baik": "baik", "butuh perbaikan": "butuh_perbaikan",
            "kurang": "kurang", "sangat kurang": "sangat_kurang"}
POTENSI = {"tinggi": "tinggi", "menengah": "menengah", "sedang": "menengah", "rendah": "rendah"}
HUKUMAN = ("ringan", "sedang", "berat")
COUNTED_SANCTIONS = ("sedang", "berat")  # PP 94/2021: only these block a promotion


def _words(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def _nip_rows(sheet: Sheet, ctx: Context, nips: set[str], extra: list[str]):  # type: ignore[no-untyped-def]
    """Yield (i, row, nip) for rows whose NIP is in pegawai; report the others."""
    column = next((c for c in NIP_COLUMNS if sheet.has(c)), None)
    if column is None:
        require(sheet, ["nip"], ctx.problems)
        return
    if not require(sheet, extra, ctx.problems):
        return
    for i, row in enumerate(sheet.rows):
        raw = sheet.column(column)[i]
        nip = cells.nip(raw)
        if nip is None:
            ctx.cell_problem(sheet, row)(column, raw, "a NIP of " + cells.NIP_EXPECTED)
            continue
        if nip not in nips:
            ctx.report.unknown_nips.append({"file": sheet.label, "row": row, "nip": nip})
            continue
        yield i, row, nip


def read_kinerja(sheet: Sheet, ctx: Context, nips: set[str]) -> dict[str, str]:
    """NIP -> latest SKP rating (the row of the highest TAHUN)."""
    ctx.ignored(sheet, [*NIP_COLUMNS, "predikat", "tahun", "nama"])
    best: dict[str, tuple[int, str, int]] = {}  # nip -> (year, rating, row)
    older = 0
    for i, row, nip in _nip_rows(sheet, ctx, nips, ["predikat"]):
        bad = ctx.cell_problem(sheet, row)
        text = sheet.column("predikat")[i]
        rating = PREDIKAT.get(_words(text))
        if rating is None:
            bad("predikat", text, "Sangat Baik, Baik, Butuh Perbaikan, Kurang or Sangat Kurang")
            continue
        year_text = sheet.column("tahun")[i]
        year = cells.whole(year_text, 1900, 2100) if year_text else 0
        if year is None:
            bad("tahun", year_text, "a year such as 2026")
            continue
        if nip in best:
            old_year, old_rating, old_row = best[nip]
            if old_year == year and old_rating != rating:
                ctx.problems.add(sheet.label, f"NIP {nip} already has rating {old_rating!r} for "
                                 f"{'year ' + str(year) if year else 'the same (no TAHUN)'} on "
                                 f"row {old_row}", row, sheet.header("predikat"))
                continue
            older += 1
            if year <= old_year:
                continue
        best[nip] = (year, rating, row)
    if older:
        ctx.report.notes["kinerja: baris SKP tahun sebelumnya (tahun terbaru yang dipakai)"] = older
    return {nip: rating for nip, (_, rating, _) in best.items()}


def read_talenta(sheet: Sheet, ctx: Context, nips: set[str]) -> dict[str, str]:
    ctx.ignored(sheet, [*NIP_COLUMNS, "potensi", "nama"])
    out: dict[str, tuple[str, int]] = {}
    for i, row, nip in _nip_rows(sheet, ctx, nips, ["potensi"]):
        text = sheet.column("potensi")[i]
        potential = POTENSI.get(_words(text))
        if potential is None:
            ctx.cell_problem(sheet, row)("potensi", text, "Tinggi, Menengah or Rendah")
            continue
        if nip in out and out[nip][0] != potential:
            ctx.problems.add(sheet.label, f"NIP {nip} already has potential {out[nip][0]!r} on "
                             f"row {out[nip][1]}", row, sheet.header("potensi"))
            continue
        out.setdefault(nip, (potential, row))
    return {nip: p for nip, (p, _) in out.items()}


def read_hukdis(sheet: Sheet, ctx: Context, nips: set[str]) -> dict[str, dt.date]:
    """NIP -> latest end date of a moderate or severe sanction (light ones do not count)."""
    ctx.ignored(sheet, [*NIP_COLUMNS, "tingkat hukuman", "akhir hukuman", "nama",
                        "jenis hukuman", "tmt hukuman"])
    out: dict[str, dt.date] = {}
    for i, row, nip in _nip_rows(sheet, ctx, nips, ["tingkat hukuman", "akhir hukuman"]):
        bad = ctx.cell_problem(sheet, row)
        level_text = sheet.column("tingkat hukuman")[i]
        level = _words(level_text)
        if level not in HUKUMAN:
            bad("tingkat hukuman", level_text, "Ringan, Sedang or Berat")
            continue
        if level not in COUNTED_SANCTIONS:
            ctx.report.notes["hukdis: hukuman ringan (tidak menghalangi promosi, PP 94/2021)"] += 1
            continue
        end_text = sheet.column("akhir hukuman")[i]
        end = dates.parse(end_text) if end_text else None
        if end is None:
            bad("akhir hukuman", end_text, dates.EXPECTED + " (end of the sanction)")
            continue
        if nip not in out or end > out[nip]:
            out[nip] = end
    return out


def _competency_columns(sheet: Sheet) -> dict[str, str]:
    """competency key -> the sheet's column key for it."""
    found: dict[str, str] = {}
    for column in sheet.headers:
        comp = competencies.match(column)
        if comp is not None and comp not in found:
            found[comp] = column
    return found


def _levels(sheet: Sheet, ctx: Context, i: int, row: int, columns: dict[str, str],
            low: int, expected: str) -> dict[str, int] | None:
    values: dict[str, int] = {}
    ok = True
    for comp, column in columns.items():
        text = sheet.column(column)[i]
        if not text:
            values[comp] = 0
            continue
        value = cells.whole(text, low, 5)
        if value is None:
            ctx.cell_problem(sheet, row)(column, text, expected)
            ok = False
            continue
        values[comp] = value
    return values if ok else None


def _require_competencies(sheet: Sheet, ctx: Context) -> dict[str, str] | None:
    columns = _competency_columns(sheet)
    missing = [competencies.NAMES[c] for c in competencies.KEYS if c not in columns]
    if missing:
        ctx.problems.add(sheet.label, "competency column(s) missing: " + ", ".join(missing)
                         + " (the nine of PermenPANRB 38/2017, by name)", 1)
        return None
    return columns


def read_kompetensi(sheet: Sheet, ctx: Context, nips: set[str]) -> dict[str, dict[str, int]]:
    """NIP -> assessed level per competency (blank = not assessed = 0)."""
    columns = _require_competencies(sheet, ctx)
    if columns is None:
        return {}
    ctx.ignored(sheet, [*NIP_COLUMNS, *columns.values()])
    out: dict[str, dict[str, int]] = {}
    first: dict[str, int] = {}
    for i, row, nip in _nip_rows(sheet, ctx, nips, []):
        if nip in first:
            ctx.problems.add(sheet.label, f"NIP {nip} already assessed on row {first[nip]}", row,
                             sheet.header("nip" if sheet.has("nip") else "nip baru"))
            continue
        first[nip] = row
        levels = _levels(sheet, ctx, i, row, columns, 1, "a competency level 1-5 (blank = not "
                         "assessed)")
        if levels is not None:
            out[nip] = levels
    return out


def read_standar(sheet: Sheet, ctx: Context, post_ids: set[str]) -> dict[str, dict[str, int]]:
    """JABATAN ID -> required level per competency (SKJ, 0-5; blank = 0)."""
    if not require(sheet, ["jabatan id"], ctx.problems):
        return {}
    columns = _require_competencies(sheet, ctx)
    if columns is None:
        return {}
    ctx.ignored(sheet, ["jabatan id", *columns.values()])
    out: dict[str, dict[str, int]] = {}
    first: dict[str, int] = {}
    for i, row in enumerate(sheet.rows):
        pid = sheet.column("jabatan id")[i]
        if pid not in post_ids:
            ctx.problems.add(sheet.label, f"JABATAN ID {pid!r} is not in the peta jabatan", row,
                             sheet.header("jabatan id"))
            continue
        if pid in first:
            ctx.problems.add(sheet.label, f"JABATAN ID {pid!r} already has a standard on row "
                             f"{first[pid]}", row, sheet.header("jabatan id"))
            continue
        first[pid] = row
        levels = _levels(sheet, ctx, i, row, columns, 0, "a required level 0-5")
        if levels is not None:
            out[pid] = levels
    return out


def read_seleksi(sheet: Sheet, ctx: Context, nips: set[str],
                 post_ids: set[str]) -> list[tuple[str, str, int]]:
    """(nip, JABATAN ID, score) with ``score = NILAI x 100``."""
    ctx.ignored(sheet, [*NIP_COLUMNS, "jabatan id", "nilai", "nama"])
    out: list[tuple[str, str, int]] = []
    seen: dict[tuple[str, str], int] = {}
    for i, row, nip in _nip_rows(sheet, ctx, nips, ["jabatan id", "nilai"]):
        pid = sheet.column("jabatan id")[i]
        if pid not in post_ids:
            ctx.problems.add(sheet.label, f"JABATAN ID {pid!r} is not in the peta jabatan", row,
                             sheet.header("jabatan id"))
            continue
        text = sheet.column("nilai")[i]
        score = cells.nilai_score(text)
        if score is None:
            ctx.cell_problem(sheet, row)("nilai", text, cells.NILAI_EXPECTED)
            continue
        if (nip, pid) in seen:
            ctx.problems.add(sheet.label, f"({nip}, {pid}) already has a NILAI on row "
                             f"{seen[(nip, pid)]}", row, sheet.header("jabatan id"))
            continue
        seen[(nip, pid)] = row
        out.append((nip, pid, score))
    return out


def read_kamus(sheet: Sheet, ctx: Context) -> dict[str, str]:
    """Programme (normalised) -> education_field key."""
    if not require(sheet, ["pendidikan", "bidang"], ctx.problems):
        return {}
    ctx.ignored(sheet, ["pendidikan", "bidang"])
    out: dict[str, tuple[str, int]] = {}
    for i, row in enumerate(sheet.rows):
        name = education.normalise(sheet.column("pendidikan")[i])
        field = education.field_key(sheet.column("bidang")[i])
        if not name:
            ctx.cell_problem(sheet, row)("pendidikan", sheet.column("pendidikan")[i],
                                         "a programme name such as TEKNIK INFORMATIKA")
            continue
        if not field:
            ctx.cell_problem(sheet, row)("bidang", "", "an education_field key such as "
                                         "teknologi_informasi")
            continue
        if name in out and out[name][0] != field:
            ctx.problems.add(sheet.label, f"{name!r} is already mapped to {out[name][0]!r} on "
                             f"row {out[name][1]}", row, sheet.header("bidang"))
            continue
        out.setdefault(name, (field, row))
    return {name: field for name, (field, _) in out.items()}
