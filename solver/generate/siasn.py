"""Write a generated round in the shapes a BKPSDM exports (``penata generate --format siasn``).

The same round as :func:`solver.generate.engine.write` writes in the MODEL.md format,
but as the source files ``penata import siasn`` reads, with the untidiness of real
exports: SIASN's pegawai file (XLSX; BKN golongan codes, ``III/a - Penata Muda``,
``III/A`` and bare pangkat names mixed; apostrophe NIPs; date cells, dd-mm-yyyy text
and Excel serials; gelar; inactive rows; rows in no particular order), the peta jabatan
(XLSX; jenis jabatan synonyms, eselon written ``II.b`` / ``2B`` / ``II B``), e-Kinerja
over two years (semicolon CSV with a BOM), the talent map, discipline records with light
and expired sanctions, the assessment centre (XLSX), the SKJ, and the selection panel.
Ratings or potentials a default would give anyway (``butuh_perbaikan``, ``rendah``) are
sometimes simply missing, and some school programmes are not in the kamus: every gap is
one the importer's defaults fill with exactly the MODEL.md round's value, or one that
changes no pair (``umum`` is in no post's education fields).

``round.yaml`` holds the round's name, ``as_of``, scope, rules, weights and plans: what
a planner types into the imported ``scenario.yaml``. All randomness of this writer comes
from its own stream, so the MODEL.md files of the same seed are unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

from solver.generate import catalog as C
from solver.generate.engine import (
    Generated,
    dump_yaml,
    employees_table,
    positions_table,
    scenario_dict,
)
from solver.importer import jabatan
from solver.importer.grades import BKN_CODES, PANGKAT

CODE_OF = {grade: int(code) for code, grade in BKN_CODES.items()}
COMPETENCY_HEADERS = ("Integritas", "Kerjasama", "Komunikasi", "Orientasi pada Hasil",
                      "Pelayanan Publik", "Pengembangan Diri dan Orang Lain",
                      "Mengelola Perubahan", "Pengambilan Keputusan", "Perekat Bangsa")
PREDIKAT = {"sangat_baik": "Sangat Baik", "baik": "Baik", "butuh_perbaikan": "Butuh Perbaikan",
            "kurang": "Kurang", "sangat_kurang": "Sangat Kurang"}
INACTIVE = ("Pensiun", "Meninggal Dunia", "Pemberhentian", "Pensiun")

# education_field key -> programme names as SIASN spells them (each in the built-in kamus)
PROGRAMMES: dict[str, tuple[str, ...]] = {
    "administrasi_publik": ("ILMU ADMINISTRASI NEGARA", "ADMINISTRASI PUBLIK"),
    "administrasi_perkantoran": ("ADMINISTRASI PERKANTORAN",),
    "akuntansi": ("AKUNTANSI", "AKUNTANSI SEKTOR PUBLIK"),
    "arsitektur": ("TEKNIK ARSITEKTUR",), "ekonomi": ("EKONOMI PEMBANGUNAN", "ILMU EKONOMI"),
    "farmasi": ("FARMASI",), "hukum": ("ILMU HUKUM",), "ilmu_komunikasi": ("ILMU KOMUNIKASI",),
    "ilmu_pemerintahan": ("ILMU PEMERINTAHAN",), "ilmu_perpustakaan": ("ILMU PERPUSTAKAAN",),
    "ilmu_politik": ("ILMU POLITIK",), "kearsipan": ("KEARSIPAN",), "kebidanan": ("KEBIDANAN",),
    "kedokteran": ("PENDIDIKAN DOKTER",), "kedokteran_hewan": ("KEDOKTERAN HEWAN",),
    "keperawatan": ("KEPERAWATAN", "ILMU KEPERAWATAN"),
    "kesehatan_masyarakat": ("KESEHATAN MASYARAKAT",),
    "kesejahteraan_sosial": ("KESEJAHTERAAN SOSIAL",), "komunikasi": ("KOMUNIKASI",),
    "manajemen": ("MANAJEMEN",), "manajemen_sdm": ("MANAJEMEN SUMBER DAYA MANUSIA",),
    "pariwisata": ("PARIWISATA",),
    "pendidikan": ("PENDIDIKAN GURU SEKOLAH DASAR", "PENDIDIKAN MATEMATIKA"),
    "pendidikan_jasmani": ("PENDIDIKAN JASMANI",),
    "perencanaan_wilayah": ("PERENCANAAN WILAYAH DAN KOTA",),
    "perpajakan": ("PERPAJAKAN",), "pertanian": ("AGRIBISNIS", "AGROTEKNOLOGI"),
    "psikologi": ("PSIKOLOGI",), "sejarah": ("ILMU SEJARAH",), "statistika": ("STATISTIKA",),
    "teknik_industri": ("TEKNIK INDUSTRI",), "teknik_lingkungan": ("TEKNIK LINGKUNGAN",),
    "teknik_mesin": ("TEKNIK MESIN",), "teknik_sipil": ("TEKNIK SIPIL",),
    "teknologi_informasi": ("TEKNIK INFORMATIKA", "SISTEM INFORMASI"),
    "transportasi": ("MANAJEMEN TRANSPORTASI",),
}
# school tracks of "umum": the last two are not in the kamus (imported as blank; "umum"
# is in no post's education fields, so no pair changes)
SCHOOL_TRACKS = ("IPA", "IPS", "UMUM", "PAKET C", "TATA BUSANA")
LEVEL_TOKENS = {"SD": ("SD",), "SMP": ("SMP", "SLTP"), "SMA": ("SMA", "SLTA", "SMK"),
                "D3": ("D3", "D-III", "DIPLOMA III"), "S1": ("S1", "S-1"), "S2": ("S2", "S-2"),
                "S3": ("S3", "S-3")}
GELAR_S1 = {"teknologi_informasi": "S.Kom", "ekonomi": "S.E.", "akuntansi": "S.E., Ak.",
            "manajemen": "S.E.", "hukum": "S.H.", "kedokteran": "dr.", "pendidikan": "S.Pd",
            "keperawatan": "S.Kep", "kesehatan_masyarakat": "S.KM", "teknik_sipil": "S.T.",
            "pertanian": "S.P.", "psikologi": "S.Psi", "farmasi": "S.Farm"}


def _pick(rng: np.random.Generator, options: tuple[Any, ...]) -> Any:
    return options[int(rng.integers(0, len(options)))]


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}-{iso[5:7]}-{iso[0:4]}"


def _date_cell(iso: str, rng: np.random.Generator) -> Any:
    """A date as exports hold it: mostly a date cell, else dd-mm-yyyy, dd/mm/yyyy or a serial."""
    day = dt.date.fromisoformat(iso)
    roll = rng.random()
    if roll < 0.7:
        return dt.datetime(day.year, day.month, day.day)
    if roll < 0.85:
        return _dmy(iso)
    if roll < 0.93:
        return day.strftime("%d/%m/%Y")
    return (day - dt.date(1899, 12, 30)).days


def _grade_cells(grade: str, rng: np.random.Generator) -> tuple[Any, Any]:
    """(GOL AKHIR ID, GOL AKHIR NAMA) in one of the notations exports mix."""
    pangkat = PANGKAT[grade]
    if rng.random() < 0.5:
        pangkat = pangkat.replace("Tk I", _pick(rng, ("Tingkat I", "Tk. I", "Tk I")))
    mode = int(rng.integers(0, 5))
    if mode == 0:
        return CODE_OF[grade], None
    if mode == 1:
        return None, f"{grade} - {pangkat}"
    if mode == 2:
        return None, grade.upper() if rng.random() < 0.5 else grade.replace("/", "")
    if mode == 3:
        return None, pangkat
    return str(CODE_OF[grade]), f"{grade} - {pangkat}"


def _programme(field: str, level: str, rng: np.random.Generator) -> str:
    token = _pick(rng, LEVEL_TOKENS[level])
    if field == "umum" or field not in PROGRAMMES:
        return token if level == "SD" else f"{token} {_pick(rng, SCHOOL_TRACKS)}"
    name = _pick(rng, PROGRAMMES[field])
    return f"{token} {name.lower() if rng.random() < 0.15 else name}"


def _gelar(field: str, level: str, rng: np.random.Generator) -> tuple[str, str]:
    if rng.random() < 0.35:
        return "", ""
    if level == "S3":
        return "Dr.", "M.Si"
    if level == "S2":
        return "", f"{GELAR_S1.get(field, 'S.Sos')}, {_pick(rng, ('M.Si', 'M.M.', 'M.AP'))}"
    if level == "S1":
        return ("dr.", "") if field == "kedokteran" else ("", GELAR_S1.get(field, "S.Sos"))
    if level == "D3":
        return "", "A.Md."
    return "", ""


def _kind_cells(post: pd.Series, kind: str, rng: np.random.Generator) -> dict[str, Any]:
    """JENIS JABATAN, ESELON / JENJANG and, where no table row fits, the overrides."""
    key = (int(post["level"]), post["grade_min"], post["grade_max"])
    cells: dict[str, Any] = {}
    if kind == "pel":
        cells["JENIS JABATAN"] = _pick(rng, ("Pelaksana", "Pelaksana", "JFU"))
        # the generator's pelaksana posts have their own ranges: written as overrides
        cells["GOL MIN"], cells["GOL MAX"] = post["grade_min"], post["grade_max"]
        return cells
    table = jabatan.ESELON if kind == "struct" else jabatan.JENJANG
    name = next((n for n, d in table.items() if (d.level, d.grade_min, d.grade_max) == key),
                None)
    if kind == "struct":
        level = key[0]
        synonym = {5: "JPT", 6: "JPT", 4: "Administrator", 3: "Pengawas"}.get(level, "Struktural")
        cells["JENIS JABATAN"] = _pick(rng, ("Struktural", synonym))
        if name is not None:
            roman, letter = name.split(".")
            arabic = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5"}[roman]
            cells["ESELON"] = _pick(rng, (name, f"{arabic}{letter.upper()}",
                                          f"{roman} {letter.upper()}", name))
    else:
        cells["JENIS JABATAN"] = _pick(rng, ("Fungsional", "JFT"))
        if name is not None:
            cells["JENJANG"] = name.title()
    if name is None:
        cells["LEVEL"] = key[0]
        cells["GOL MIN"], cells["GOL MAX"] = key[1], key[2]
    if post["retirement_age"] and (name is None or table[name].retirement_age !=
                                   int(post["retirement_age"])):
        cells["BUP"] = int(post["retirement_age"])
    return cells


def _yes_no(value: str, rng: np.random.Generator) -> str:
    yes = value == "true"
    return _pick(rng, ("Ya", "Ya", "Y", "true") if yes else ("Tidak", "Tidak", "T", "false"))


def _write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _write_csv(path: Path, header: list[str], rows: list[list[Any]], *, sep: str = ",",
               encoding: str = "utf-8") -> None:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _nip_cell(nip: str, rng: np.random.Generator) -> str:
    return "'" + nip if rng.random() < 0.3 else nip


def write_siasn(g: Generated, out_dir: Path) -> Path:
    """Write the round's source files into ``out_dir``; return the ``round.yaml`` path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([g.seed, 13])
    emp, pos = employees_table(g), positions_table(g)
    _pegawai(g, emp, pos, rng, out_dir / "pegawai.xlsx")
    _peta(g, pos, rng, out_dir / "peta_jabatan.xlsx")
    _kinerja_talenta_hukdis(g, emp, rng, out_dir)
    _kompetensi(emp, rng, out_dir / "kompetensi.xlsx")
    comps = [f"c.{c}" for c in C.COMPETENCIES]
    _write_csv(out_dir / "standar_kompetensi.csv", ["JABATAN ID", "NAMA JABATAN",
                                                    *COMPETENCY_HEADERS],
               [[r["id"], r["title"], *(int(r[c]) for c in comps)] for _, r in pos.iterrows()])
    if g.assessments is not None:
        _write_csv(out_dir / "seleksi.csv", ["NIP", "JABATAN ID", "NILAI"],
                   [[n, p, f"{s // 100}.{s % 100:02d}"] for n, p, s in
                    g.assessments[["nip", "position", "score"]].itertuples(index=False)])
    doc = scenario_dict(g, {})
    round_doc = {k: doc[k] for k in ("name", "as_of", "scope", "rules", "weights", "plans")}
    path = out_dir / "round.yaml"
    path.write_text(dump_yaml(round_doc, (
        f"The round of `penata generate --profile {g.profile.name} --seed {g.seed} --format "
        "siasn`:\ncopy scope, rules, weights and plans into the scenario.yaml that `penata "
        "import siasn` writes.")), encoding="utf-8")
    return path


def _pegawai(g: Generated, emp: pd.DataFrame, pos: pd.DataFrame, rng: np.random.Generator,
             path: Path) -> None:
    header = ["PNS ID", "NIP BARU", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "TANGGAL LAHIR",
              "GOL AKHIR ID", "GOL AKHIR NAMA", "JABATAN ID", "JABATAN NAMA", "TMT JABATAN",
              "UNOR NAMA", "TINGKAT PENDIDIKAN NAMA", "PENDIDIKAN NAMA", "KEDUDUKAN HUKUM NAMA",
              "LEVEL"]
    titles = dict(zip(pos["id"], pos["title"], strict=True))
    units = dict(zip(pos["id"], pos["unit"], strict=True))
    levels = g.employees["edu_level"].tolist()
    rows: list[list[Any]] = []
    for index, r in enumerate(emp.itertuples(index=False)):
        front, back = _gelar(r.education_field, levels[index], rng)
        code, name = _grade_cells(r.grade, rng)
        placed = bool(r.current_position)
        rows.append([
            f"G{index:011d}", _nip_cell(r.nip, rng), r.name.upper(), front or None, back or None,
            _date_cell(r.birth_date, rng), code, name, r.current_position or None,
            titles.get(r.current_position), _date_cell(r.position_since, rng) if placed else None,
            units.get(r.current_position), levels[index],
            _programme(r.education_field, levels[index], rng), "Aktif",
            None if placed else r.current_level])
    ids = pos["id"].tolist()
    for k in range(max(2, len(emp) // 100)):  # retired, deceased, dismissed: left out
        birth = dt.date(1957, 1, 1) + dt.timedelta(days=37 * k)
        nip = f"{birth:%Y%m%d}198003{1 + k % 2}{k % 1000:03d}"
        post = ids[int(rng.integers(0, len(ids)))]
        rows.append([f"H{k:011d}", nip, f"PENSIUNAN {k + 1}", None, None,
                     dt.datetime(birth.year, birth.month, birth.day), 42, None, post,
                     titles[post], dt.datetime(2015, 1, 1), units[post], "S1", "S1 MANAJEMEN",
                     INACTIVE[k % len(INACTIVE)], None])
    order = rng.permutation(len(rows))  # an export comes sorted by whatever its screen was
    _write_xlsx(path, header, [rows[i] for i in order])


def _peta(g: Generated, pos: pd.DataFrame, rng: np.random.Generator, path: Path) -> None:
    header = ["JABATAN ID", "NAMA JABATAN", "UNOR NAMA", "JENIS JABATAN", "ESELON", "JENJANG",
              "KELAS JABATAN", "KEBUTUHAN", "WAJIB ISI", "PRIORITAS", "BIDANG PENDIDIKAN",
              "PENDIDIKAN WAJIB", "SELEKSI TERBUKA", "LEVEL", "GOL MIN", "GOL MAX", "BUP"]
    kinds = g.positions["kind"].tolist()
    rows = []
    for index, (_, post) in enumerate(pos.iterrows()):
        cells = _kind_cells(post, kinds[index], rng)
        cells.update({
            "JABATAN ID": post["id"], "NAMA JABATAN": post["title"], "UNOR NAMA": post["unit"],
            "KELAS JABATAN": 4 + 2 * int(post["level"]), "KEBUTUHAN": int(post["headcount"]),
            "WAJIB ISI": _yes_no(post["must_fill"], rng), "PRIORITAS": int(post["priority"]),
            "BIDANG PENDIDIKAN": post["education_fields"] or None,
            "PENDIDIKAN WAJIB": _yes_no(post["education_required"], rng),
            "SELEKSI TERBUKA": _yes_no(post["applicants_only"], rng),
        })
        rows.append([cells.get(h) for h in header])
    _write_xlsx(path, header, rows)


def _kinerja_talenta_hukdis(g: Generated, emp: pd.DataFrame, rng: np.random.Generator,
                            out_dir: Path) -> None:
    year = g.as_of.year - 1
    kinerja, talenta, hukdis = [], [], []
    for r in emp.itertuples(index=False):
        # a rating the default gives anyway is sometimes simply not in e-Kinerja
        if not (r.performance == "butuh_perbaikan" and rng.random() < 0.4):
            if rng.random() < 0.3:
                older = _pick(rng, tuple(PREDIKAT.values()))
                kinerja.append([_nip_cell(r.nip, rng), year - 1, older])
            kinerja.append([_nip_cell(r.nip, rng), year, PREDIKAT[r.performance]])
        if not (r.potential == "rendah" and rng.random() < 0.4):
            talenta.append([r.nip, r.potential.title()])
        if r.discipline_until:
            if rng.random() < 0.3:  # an older sanction, long over: the latest end counts
                hukdis.append([r.nip, "Sedang", "01-03-2019"])
            hukdis.append([r.nip, _pick(rng, ("Sedang", "Berat")), _dmy(r.discipline_until)])
        elif rng.random() < 0.02:  # light sanctions never block a promotion (PP 94/2021)
            hukdis.append([r.nip, "Ringan", f"31-12-{g.as_of.year}"])
    order = rng.permutation(len(kinerja))
    _write_csv(out_dir / "kinerja.csv", ["NIP", "TAHUN", "PREDIKAT"],
               [kinerja[i] for i in order], sep=";", encoding="utf-8-sig")
    _write_csv(out_dir / "talenta.csv", ["NIP", "POTENSI"], talenta)
    _write_csv(out_dir / "hukdis.csv", ["NIP", "TINGKAT HUKUMAN", "AKHIR HUKUMAN"], hukdis,
               encoding="cp1252")


def _kompetensi(emp: pd.DataFrame, rng: np.random.Generator, path: Path) -> None:
    comps = [f"c.{c}" for c in C.COMPETENCIES]
    values = emp[comps].to_numpy(dtype=object)
    rows = []
    for index, r in enumerate(emp.itertuples(index=False)):
        levels = [None if pd.isna(v) else int(v) for v in values[index]]
        if all(v is None for v in levels):
            continue  # never assessed: no row
        jpm = f"{rng.uniform(55, 98):.2f}"
        rows.append([r.nip, r.name, jpm, *levels])
    _write_xlsx(path, ["NIP", "NAMA", "JPM", *COMPETENCY_HEADERS], rows)
