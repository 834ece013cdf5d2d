"""The peta jabatan (from the ABK) as positions: one row per post."""

from __future__ import annotations

from dataclasses import dataclass

from solver.importer import cells, grades, jabatan
from solver.importer.context import Context
from solver.importer.tables import Sheet, require
from solver.scenario import GRADE_RANK

REQUIRED = ["jabatan id", "nama jabatan", "unor nama", "jenis jabatan", "kebutuhan"]
OPTIONAL = ["eselon", "jenjang", "wajib isi", "prioritas", "bidang pendidikan",
            "pendidikan wajib", "seleksi terbuka", "level", "gol min", "gol max", "bup",
            "kelas jabatan", "kritis"]


@dataclass
class Post:
    id: str
    title: str
    unit: str
    level: int
    grade_min: str
    grade_max: str
    headcount: int
    must_fill: bool
    priority: int
    education_fields: str
    education_required: bool
    retirement_age: int
    applicants_only: bool
    row: int
    critical: bool = False  # KRITIS: a critical post with a succession list (docs/talent.md)


def read(sheet: Sheet, ctx: Context) -> list[Post]:
    if not require(sheet, REQUIRED, ctx.problems):
        return []
    ctx.ignored(sheet, REQUIRED + OPTIONAL)
    posts: list[Post] = []
    seen: dict[str, int] = {}
    col = sheet.column
    for i, row in enumerate(sheet.rows):
        bad = ctx.cell_problem(sheet, row)
        pid = col("jabatan id")[i]
        if not pid:
            bad("jabatan id", pid, "every post needs a JABATAN ID")
        elif pid in seen:
            ctx.problems.add(sheet.label, f"JABATAN ID {pid!r} already used on row {seen[pid]}",
                             row, sheet.header("jabatan id"))
        else:
            seen[pid] = row
        title, unit = col("nama jabatan")[i], col("unor nama")[i]
        if not title:
            bad("nama jabatan", title, "the post's name")
        if not unit:
            bad("unor nama", unit, "the unit (OPD) of the post")
        derived = _derive(sheet, i, ctx)
        headcount = cells.whole(col("kebutuhan")[i], 0, 1_000_000)
        if headcount is None:
            bad("kebutuhan", col("kebutuhan")[i], "a headcount, a whole number >= 0")
        must_fill = _flag(sheet, i, "wajib isi", ctx)
        required_edu = _flag(sheet, i, "pendidikan wajib", ctx)
        applicants = _flag(sheet, i, "seleksi terbuka", ctx)
        critical = _flag(sheet, i, "kritis", ctx)
        priority_text = col("prioritas")[i]
        priority = cells.whole(priority_text, 1, 3) if priority_text else 1
        if priority is None:
            bad("prioritas", priority_text, "a priority 1, 2 or 3")
        fields = list(dict.fromkeys(f.strip().lower() for f in
                                    col("bidang pendidikan")[i].split(";") if f.strip()))
        if derived is None or headcount is None or priority is None:
            continue
        posts.append(Post(pid, title, unit, derived.level, derived.grade_min, derived.grade_max,
                          headcount, must_fill, priority, ";".join(fields), required_edu,
                          derived.retirement_age, applicants, row, critical))
    return posts


def _flag(sheet: Sheet, i: int, column: str, ctx: Context) -> bool:
    text = sheet.column(column)[i]
    if not text:
        return False
    value = cells.yes_no(text)
    if value is None:
        ctx.cell_problem(sheet, sheet.rows[i])(column, text, cells.YES_NO_EXPECTED)
        return False
    return value


def _grade_override(sheet: Sheet, i: int, column: str, ctx: Context) -> str | None:
    text = sheet.column(column)[i]
    if not text:
        return None
    grade = grades.parse(text)
    if grade is None:
        ctx.cell_problem(sheet, sheet.rows[i])(column, text, "a golongan such as III/a or a BKN "
                                               f"code ({grades.BKN_CODE_RANGES})")
    return grade


def _derive(sheet: Sheet, i: int, ctx: Context) -> jabatan.Derived | None:
    """Level, golongan range and BUP from jenis/eselon/jenjang, overrides winning."""
    col = sheet.column
    bad = ctx.cell_problem(sheet, sheet.rows[i])
    level_text, bup_text = col("level")[i], col("bup")[i]
    level = cells.whole(level_text, 1, 7) if level_text else None
    if level_text and level is None:
        bad("level", level_text, "a career level 1-7")
    bup = cells.whole(bup_text, 18, 100) if bup_text else None
    if bup_text and bup is None:
        bad("bup", bup_text, "a retirement age 18-100")
    low = _grade_override(sheet, i, "gol min", ctx)
    high = _grade_override(sheet, i, "gol max", ctx)
    overridden = level is not None and low is not None and high is not None
    kind_text = col("jenis jabatan")[i]
    kind = jabatan.kind(kind_text)
    base: jabatan.Derived | None = None
    if kind is None:
        bad("jenis jabatan", kind_text, jabatan.KIND_CHOICES)
    elif kind == "jpt utama":
        base = jabatan.JPT_UTAMA
    elif kind == jabatan.PELAKSANA_KIND:
        base = jabatan.PELAKSANA
    elif kind == jabatan.STRUKTURAL:
        text = col("eselon")[i]
        name = jabatan.eselon(text) if text else None
        if name is not None:
            base = jabatan.ESELON[name]
        elif text or not overridden:
            bad("eselon", text, jabatan.ESELON_CHOICES + " for a structural post")
    else:
        text = col("jenjang")[i]
        name = jabatan.jenjang(text) if text else None
        if name is not None:
            base = jabatan.JENJANG[name]
        elif text or not overridden:
            bad("jenjang", text, jabatan.JENJANG_CHOICES + " for a functional post")
    if base is None and not overridden:
        return None
    level = level if level is not None else base.level  # type: ignore[union-attr]
    low = low or base.grade_min  # type: ignore[union-attr]
    high = high or base.grade_max  # type: ignore[union-attr]
    if bup is None:
        bup = base.retirement_age if base is not None else (60 if level >= 5 else 58)
    if GRADE_RANK[low] > GRADE_RANK[high]:
        ctx.problems.add(sheet.label, f"the golongan range {low}-{high} is empty (min above "
                         "max)", sheet.rows[i], sheet.header("gol max") if sheet.has("gol max")
                         else sheet.header("gol min"))
        return None
    return jabatan.Derived(level, low, high, bup)
