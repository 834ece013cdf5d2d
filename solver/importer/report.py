"""The import report: what was read, left out, defaulted and worth a second look.

Written beside the scenario as ``import-report.json`` (English keys, for tools) and
``import-report.md`` (Bahasa Indonesia, for the planner). Every value that came from a
source file is escaped before it reaches the Markdown (a programme name holding ``|``
or ``<script>`` stays text).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# How many entries of a long list the Markdown shows; the JSON keeps all of them.
MARKDOWN_LIST_LIMIT = 50


@dataclass
class FileCount:
    role: str
    file: str
    rows_read: int = 0
    rows_used: int = 0


@dataclass
class Report:
    name: str
    as_of: str
    files: list[FileCount] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)  # file,row,nip,reason
    inactive: Counter[str] = field(default_factory=Counter)  # KEDUDUKAN HUKUM -> rows
    defaults: Counter[str] = field(default_factory=Counter)  # what was assumed -> count
    unmatched_education: Counter[str] = field(default_factory=Counter)
    birth_date_mismatch: list[dict[str, Any]] = field(default_factory=list)
    over_headcount: list[dict[str, Any]] = field(default_factory=list)
    outside_range: list[dict[str, Any]] = field(default_factory=list)
    unknown_nips: list[dict[str, Any]] = field(default_factory=list)  # file,row,nip
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    duplicate_headers: dict[str, list[str]] = field(default_factory=dict)
    renamed_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)  # other counted facts
    assumptions: list[str] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)  # table -> rows written

    def count_file(self, role: str, file: str, read: int, used: int) -> None:
        self.files.append(FileCount(role, file, read, used))

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "as_of": self.as_of,
            "files": [vars(f) for f in self.files],
            "written": dict(self.written),
            "left_out": self.left_out,
            "inactive_by_status": dict(sorted(self.inactive.items())),
            "defaults": dict(sorted(self.defaults.items())),
            "unmatched_education": _by_count(self.unmatched_education),
            "birth_date_mismatch": self.birth_date_mismatch,
            "over_headcount": self.over_headcount,
            "outside_grade_range": self.outside_range,
            "unknown_nips": self.unknown_nips,
            "ignored_columns": self.ignored_columns,
            "duplicate_headers": self.duplicate_headers,
            "renamed_columns": self.renamed_columns,
            "notes": dict(sorted(self.notes.items())),
            "assumptions": self.assumptions,
        }


def _by_count(counter: Counter[str]) -> list[dict[str, Any]]:
    return [{"name": k, "count": n} for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def write_json(report: Report) -> str:
    return json.dumps(report.as_json(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# Characters that could end a table cell, open a link, code span, emphasis or raw HTML.
_MD_SPECIAL = re.compile(r"([\\`*|\[\]])")


def md(value: Any) -> str:
    """A value as literal Markdown table-cell text: one line, no markup, no raw HTML."""
    text = re.sub(r"\s+", " ", str(value)).strip().replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _table(header: list[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    rows = list(rows)
    shown = rows[:MARKDOWN_LIST_LIMIT]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in shown]
    if len(rows) > len(shown):
        lines.append("")
        lines.append(f"… dan {len(rows) - len(shown)} baris lagi (lengkap di import-report.json).")
    return lines


_ROLE_LABELS = {
    "pegawai": "Data ASN (pegawai)", "peta_jabatan": "Peta jabatan", "kinerja": "Kinerja (SKP)",
    "talenta": "Talenta (potensi)", "hukdis": "Hukuman disiplin", "kompetensi": "Kompetensi",
    "standar_kompetensi": "Standar kompetensi (SKJ)", "seleksi": "Seleksi terbuka",
    "kamus_pendidikan": "Kamus pendidikan",
}


def write_markdown(report: Report) -> str:
    out = [f"# Laporan impor: {md(report.name)}", "",
           f"Tanggal acuan (as_of): {md(report.as_of)}", "", "## Berkas yang dibaca", ""]
    out += _table(["berkas", "file", "baris dibaca", "baris dipakai"],
                  [[_ROLE_LABELS.get(f.role, f.role), f.file, f.rows_read, f.rows_used]
                   for f in report.files])
    out += ["", "## Tabel yang ditulis", ""]
    out += _table(["tabel", "baris"], [[k, v] for k, v in report.written.items()])
    out += ["", "## Pegawai yang tidak diikutkan", ""]
    if report.inactive:
        out += _table(["kedudukan hukum", "jumlah"], sorted(report.inactive.items()))
        out.append("")
    if report.left_out:
        out += _table(["file", "baris", "NIP", "alasan"],
                      [[x["file"], x["row"], x["nip"], x["reason"]] for x in report.left_out])
    elif not report.inactive:
        out.append("Tidak ada.")
    out += ["", "## Nilai bawaan yang dipakai", ""]
    if report.defaults:
        out += _table(["yang diasumsikan", "jumlah"], sorted(report.defaults.items()))
    else:
        out.append("Tidak ada.")
    for assumption in report.assumptions:
        out += ["", f"- {md(assumption)}"]
    out += ["", "## Nama pendidikan yang tidak ada di kamus", ""]
    if report.unmatched_education:
        out.append("`education_field` dikosongkan; tambahkan baris `pendidikan,bidang` ke "
                   "`--kamus-pendidikan` lalu impor ulang.")
        out.append("")
        out += _table(["pendidikan", "jumlah"],
                      [[x["name"], x["count"]] for x in _by_count(report.unmatched_education)])
    else:
        out.append("Tidak ada.")
    out += ["", "## Tanggal lahir berbeda dengan NIP", ""]
    if report.birth_date_mismatch:
        out.append("Tanggal lahir dari kolom TANGGAL LAHIR yang dipakai.")
        out.append("")
        out += _table(["baris", "NIP", "dari NIP", "TANGGAL LAHIR"],
                      [[x["row"], x["nip"], x["from_nip"], x["birth_date"]]
                       for x in report.birth_date_mismatch])
    else:
        out.append("Tidak ada.")
    out += ["", "## Jabatan dengan pemangku melebihi KEBUTUHAN", ""]
    if report.over_headcount:
        out += _table(["JABATAN ID", "nama jabatan", "KEBUTUHAN", "pemangku"],
                      [[x["position"], x["title"], x["headcount"], x["holders"]]
                       for x in report.over_headcount])
    else:
        out.append("Tidak ada.")
    out += ["", "## Pemangku di luar rentang golongan jabatannya", ""]
    if report.outside_range:
        out.append("Tetap di jabatannya boleh; pindah ke jabatan ini tidak (MODEL.md bagian 4).")
        out.append("")
        out += _table(["NIP", "JABATAN ID", "golongan", "rentang"],
                      [[x["nip"], x["position"], x["grade"], x["range"]]
                       for x in report.outside_range])
    else:
        out.append("Tidak ada.")
    out += ["", "## NIP yang tidak ada di data pegawai", ""]
    if report.unknown_nips:
        out.append("Baris ini dilewati.")
        out.append("")
        out += _table(["file", "baris", "NIP"],
                      [[x["file"], x["row"], x["nip"]] for x in report.unknown_nips])
    else:
        out.append("Tidak ada.")
    out += ["", "## Kolom", ""]
    lines = []
    for file, columns in report.ignored_columns.items():
        lines.append([file, "tidak dipakai", ", ".join(columns)])
    for file, columns in report.duplicate_headers.items():
        lines.append([file, "judul ganda (kolom pertama dipakai)", ", ".join(columns)])
    for file, renames in report.renamed_columns.items():
        lines.append([file, "diganti nama (--map)",
                      ", ".join(f"{a} → {b}" for a, b in renames.items())])
    out += _table(["file", "keterangan", "kolom"], lines) if lines else ["Tidak ada catatan."]
    if report.notes:
        out += ["", "## Catatan lain", ""]
        out += _table(["catatan", "jumlah"], sorted(report.notes.items()))
    return "\n".join(out) + "\n"
