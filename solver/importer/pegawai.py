"""SIASN's "Export Data ASN" (the pegawai file) as employees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from solver.importer import cells, dates, education, grades
from solver.importer.context import Context
from solver.importer.tables import Sheet, require
from solver.io import birth_date_from_nip

NIP_COLUMNS = ("nip baru", "nip")
KNOWN = ["pns id", "nip baru", "nip", "nama", "gelar depan", "gelar belakang", "tanggal lahir",
         "gol akhir id", "gol akhir nama", "jabatan id", "tmt jabatan", "level",
         "pendidikan nama", "tingkat pendidikan nama", "unor nama", "kedudukan hukum nama"]
ACTIVE = "aktif"


@dataclass
class Pegawai:
    nip: str
    name: str
    grade: str
    position: str  # "" = unplaced
    position_since: dt.date | None
    level: int  # 0 when placed (the post's level counts)
    birth_date: dt.date
    education_field: str
    unit: str
    row: int
    pns_id: str = ""


def nip_column(sheet: Sheet) -> str | None:
    return next((c for c in NIP_COLUMNS if sheet.has(c)), None)


def display_name(name: str, front: str, back: str) -> str:
    """``BUDI SANTOSO`` + ``Dr.`` + ``S.Kom`` -> ``Dr. Budi Santoso, S.Kom``.

    SIASN keeps NAMA in capitals; a name written all in capitals is title-cased, any
    other is kept as written (``McDonald``, ``bin`` stay)."""
    person = " ".join(name.split())
    if person.isupper():
        person = person.title()
    front, back = " ".join(front.split()), " ".join(back.split())
    if front:
        person = f"{front} {person}"
    if back:
        person = f"{person}, {back}"
    return person


def read(sheet: Sheet, ctx: Context, post_ids: set[str], kamus: dict[str, str],
         post_units: dict[str, str]) -> list[Pegawai]:
    nip_col = nip_column(sheet)
    missing = [] if nip_col else ["nip baru"]
    missing += [c for c in ("nama", "tanggal lahir") if not sheet.has(c)]
    if not (sheet.has("gol akhir id") or sheet.has("gol akhir nama")):
        missing.append("gol akhir id")
    if missing:
        require(sheet, missing, ctx.problems)
        return []
    ctx.ignored(sheet, KNOWN)
    col = sheet.column
    out: list[Pegawai] = []
    seen: dict[str, int] = {}
    parse_date = _cached(dates.parse)
    unit_differs = 0
    for i, row in enumerate(sheet.rows):
        bad = ctx.cell_problem(sheet, row)
        status = col("kedudukan hukum nama")[i]
        raw_nip = col(nip_col)[i]  # type: ignore[arg-type]
        if status and status.strip().lower() != ACTIVE:
            ctx.report.inactive[status.strip()] += 1
            continue
        nip = cells.nip(raw_nip)
        if nip is None:
            bad(nip_col, raw_nip, "a NIP of " + cells.NIP_EXPECTED)  # type: ignore[arg-type]
        elif nip in seen:
            ctx.problems.add(sheet.label, f"NIP {nip} already appears on row {seen[nip]}", row,
                             sheet.header(nip_col))  # type: ignore[arg-type]
            nip = None
        else:
            seen[nip] = row
        name = display_name(col("nama")[i], col("gelar depan")[i], col("gelar belakang")[i])
        if not name:
            bad("nama", "", "the employee's name")
        birth_text = col("tanggal lahir")[i]
        birth = parse_date(birth_text) if birth_text else None
        if birth is None:
            bad("tanggal lahir", birth_text, dates.EXPECTED)
        grade = _grade(sheet, i, ctx)
        position = col("jabatan id")[i]
        since: dt.date | None = None
        level = 0
        if position:
            if position not in post_ids:
                ctx.problems.add(sheet.label, f"JABATAN ID {position!r} is not in the peta "
                                 "jabatan", row, sheet.header("jabatan id"))
            tmt = col("tmt jabatan")[i]
            since = parse_date(tmt) if tmt else None
            if since is None:
                bad("tmt jabatan", tmt, dates.EXPECTED + " (TMT of the current post)")
        else:
            level_text = col("level")[i]
            if not level_text:
                ctx.report.left_out.append({"file": sheet.label, "row": row,
                                            "nip": nip or raw_nip,
                                            "reason": "no JABATAN ID and no LEVEL"})
                if nip:
                    del seen[nip]
                continue
            level = cells.whole(level_text, 1, 7) or 0
            if not level:
                bad("level", level_text, "a career level 1-7 (an employee not yet placed)")
        field = _education(col("pendidikan nama")[i], kamus, ctx)
        if nip and birth:
            from_nip = birth_date_from_nip(nip)
            if from_nip != birth:
                ctx.report.birth_date_mismatch.append({
                    "row": row, "nip": nip, "birth_date": birth.isoformat(),
                    "from_nip": from_nip.isoformat() if from_nip else "(tidak sah)"})
        unit = col("unor nama")[i]
        if unit and position in post_units and post_units[position] != unit:
            unit_differs += 1
        if nip and name and birth and grade and (since or level):
            out.append(Pegawai(nip, name, grade, position, since, level, birth, field, unit, row,
                               col("pns id")[i]))
    if unit_differs:
        ctx.report.notes["UNOR NAMA pegawai berbeda dengan unit jabatannya di peta jabatan "
                         "(unit peta jabatan dipakai)"] = unit_differs
    return in_stable_order(out)


def in_stable_order(people: list[Pegawai]) -> list[Pegawai]:
    """Employees by SIASN's PNS ID (when every row has one), else by NIP.

    An export comes sorted however its screen was (by unit, by name); the engine breaks
    ties between equally good plans by row order, so writing the file order would let
    a re-sorted export change the plans. Both keys are stable per person."""
    if people and all(p.pns_id for p in people):
        return sorted(people, key=lambda p: (p.pns_id, p.nip))
    return sorted(people, key=lambda p: p.nip)


def _grade(sheet: Sheet, i: int, ctx: Context) -> str | None:
    bad = ctx.cell_problem(sheet, sheet.rows[i])
    code_text, name_text = sheet.column("gol akhir id")[i], sheet.column("gol akhir nama")[i]
    by_code = grades.parse(code_text) if code_text else None
    by_name = grades.parse(name_text) if name_text else None
    if code_text and by_code is None:
        ctx.problems.add(sheet.label, f"{code_text!r} is not a BKN golongan code "
                         f"({grades.BKN_CODE_RANGES})", sheet.rows[i], sheet.header("gol akhir id"))
    if name_text and by_name is None:
        bad("gol akhir nama", name_text, "a golongan such as III/a, III/a - Penata Muda or a "
            "pangkat name")
    if by_code and by_name and by_code != by_name:
        ctx.problems.add(sheet.label, f"GOL AKHIR ID {code_text!r} is {by_code} but GOL AKHIR "
                         f"NAMA {name_text!r} is {by_name}", sheet.rows[i],
                         sheet.header("gol akhir nama"))
        return None
    if not code_text and not name_text:
        bad("gol akhir id" if sheet.has("gol akhir id") else "gol akhir nama", "",
            "the golongan (GOL AKHIR ID or GOL AKHIR NAMA)")
    return by_code or by_name


def _education(programme: str, kamus: dict[str, str], ctx: Context) -> str:
    if not programme:
        ctx.report.defaults["education_field kosong (PENDIDIKAN NAMA kosong)"] += 1
        return ""
    name = education.normalise(programme)
    field = kamus.get(name)
    if field is None:
        ctx.report.unmatched_education[name or programme.strip().upper()] += 1
        return ""
    return field


def _cached(parse):  # type: ignore[no-untyped-def]
    """Dates repeat across thousands of rows; parse each distinct text once."""
    memo: dict[str, object] = {}

    def cached(text: str):  # type: ignore[no-untyped-def]
        if text not in memo:
            memo[text] = parse(text)
        return memo[text]

    return cached
