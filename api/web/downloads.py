"""Files the workspace hands out: the problems CSV, the SK annex and the audit log workbooks.

Both are written by :mod:`solver.tabular`, so a name such as ``=HYPERLINK(...)`` stays
text in a spreadsheet instead of becoming a formula (docs/guarantees.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from solver.tabular import Sheet, csv_text, xlsx_bytes


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM and CRLF line ends (spreadsheet programs then read it as
    UTF-8); text fields guarded by :func:`solver.tabular.csv_text`."""
    return ("\ufeff" + csv_text(header, rows, line_end="\r\n")).encode("utf-8")


# Pangkat of each golongan ruang (PP 99/2000).
PANGKAT = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I", "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata", "III/d": "Penata Tingkat I", "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda", "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
ANNEX_HEADER = ("No", "Nama / NIP", "Pangkat / Gol.", "Jabatan Lama", "Jabatan Baru",
                "Unit Kerja", "Alasan")


def pangkat_golongan(grade: str) -> str:
    name = PANGKAT.get(grade)
    return f"{name}, {grade}" if name else grade


def annex_xlsx(title: str, rows: list[Sequence[Any]], note: str) -> bytes:
    """The SK annex (lampiran keputusan) as an XLSX workbook: one sheet, a title row,
    the header and one row per move; names and NIPs are text cells."""
    return xlsx_bytes([Sheet("Lampiran SK", ANNEX_HEADER, rows, footer=[[], ["", note]],
                             preamble=[[title], []], widths=(5, 34, 26, 36, 36, 28, 40),
                             wrap=True)])


AUDIT_HEADER = ("No", "Waktu (UTC)", "Oleh", "Keputusan", "NIP", "Nama", "Jabatan", "Alasan",
                "Di rencana peringkat", "SHA-256 plans.json", "Hash entri", "Hash sebelumnya")


def audit_xlsx(title: str, entries: Sequence[dict[str, Any]], names: dict[str, str],
               posts: dict[str, str], labels: dict[str, str], verdict: str) -> bytes:
    """The committee's audit log as a workbook to print and sign: one row per decision,
    oldest first, with both hashes so a reader can check the chain against the JSONL."""
    rows = [[e.get("seq"), e.get("at", ""), e.get("by", ""),
             labels.get(str(e.get("action", "")), str(e.get("action", ""))),
             str(e.get("nip", "")), names.get(str(e.get("nip", "")), ""),
             posts.get(str(e.get("position", "")), str(e.get("position", ""))),
             e.get("reason", ""), ", ".join(str(r) for r in e.get("in_plans") or []),
             e.get("plans_sha256", ""), e.get("hash", ""), e.get("prev", "")]
            for e in entries]
    return xlsx_bytes([Sheet("Log audit", AUDIT_HEADER, rows, footer=[[], ["", verdict]],
                             preamble=[[title], []],
                             widths=(5, 21, 20, 12, 21, 30, 36, 40, 14, 20, 20, 20),
                             wrap=True)])
