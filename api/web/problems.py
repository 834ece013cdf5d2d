"""Validation problems as the workspace shows them: file, row, column, value, what to fix.

The loader's messages (:class:`solver.io.InputError`) have the fixed shape
``FILE row N, column C: TEXT`` (or ``FILE line N, key K: TEXT`` for the YAML, or
just ``FILE: TEXT``); this splits them into table cells and says the common ones in
Bahasa Indonesia. A message of an unknown shape is shown whole, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WHERE = re.compile(
    r"^(?P<file>[^:]+?)"
    r"(?: (?:row|line) (?P<row>\d+))?"
    r"(?:,? (?:column|key) (?P<column>[^:]+?))?"
    r": (?P<text>.*)$",
    re.DOTALL,
)
_VALUE = re.compile(r"^(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s']+)"
                    r" is (?:not valid|out of range|not a NIP|not a date)")
_QUOTED = re.compile(r"^(?:NIP|position|unit|position id) (?P<value>'(?:[^'\\]|\\.)*'|\S+) ")

# English phrase -> Indonesian, applied in order to the "what to fix" text.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"^is blank; a placed employee needs the date the post began \(TMT\)",
     "kosong; pegawai yang menduduki jabatan perlu tanggal mulai menjabat (TMT)"),
    (r"^is blank; an unplaced employee needs a career level 1-7",
     "kosong; pegawai tanpa jabatan perlu jenjang karier 1-7"),
    (r"^is blank; every position needs an id", "kosong; setiap jabatan perlu id"),
    (r"^is blank; expected ", "kosong; isi dengan "),
    (r"^.+? is not valid; expected ", "tidak valid; isi dengan "),
    (r"^.+? is out of range; expected ", "di luar rentang; isi dengan "),
    (r"^.+? is not a NIP; expected 18 digits", "bukan NIP; NIP terdiri dari 18 digit"),
    (r"^.+? is not a date; expected ", "bukan tanggal; isi dengan "),
    (r"^NIP (\S+) already appears on row (\d+)", r"NIP \1 sudah ada di baris \2; hapus baris ganda"),
    (r"^position id (.+?) already used on row (\d+)", r"id jabatan \1 sudah dipakai di baris \2"),
    (r"^position (.+?) is not in the positions table", r"jabatan \1 tidak ada di tabel jabatan"),
    (r"^NIP (.+?) is not in the employees table", r"NIP \1 tidak ada di tabel pegawai"),
    (r"^unit (.+?) is not in the positions table", r"unit \1 tidak ada di tabel jabatan"),
    (r"^required column '(.+?)' is missing \(header row has: (.*)\)",
     r"kolom wajib '\1' tidak ada; tambahkan di baris judul (kolom yang ada: \2)"),
    (r"^column '(.+?)' appears twice", r"kolom '\1' muncul dua kali"),
    (r"^grade_min is above grade_max", "grade_min lebih tinggi dari grade_max"),
    (r"^unknown rule; known rules: ", "aturan tidak dikenal; aturan yang ada: "),
    (r"^unknown key; known keys: ", "kunci tidak dikenal; kunci yang ada: "),
    (r"^is missing; ", "tidak ada; "),
    (r"^is empty; expected a header row and data rows",
     "kosong; perlu baris judul dan baris data"),
    (r"^has a header but no employees", "ada baris judul tetapi tidak ada pegawai"),
    (r"^has a header but no positions", "ada baris judul tetapi tidak ada jabatan"),
    (r"^file not found", "berkas tidak ditemukan"),
    (r"^YAML syntax error: ", "kesalahan sintaks YAML: "),
    (r"^is a binary file, not CSV text", "berkas biner, bukan teks CSV"),
    (r"a whole number ", "bilangan bulat "),
    (r"a number between 0 and 1", "angka antara 0 dan 1"),
    (r"a date YYYY-MM-DD", "tanggal YYYY-MM-DD"),
    (r"one of ", "salah satu dari "),
    (r"a golongan ", "golongan "),
    (r"true or false", "true atau false"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in _PHRASES)


@dataclass(frozen=True)
class Problem:
    file: str
    row: str
    column: str
    value: str
    fix: str
    message: str  # the loader's own message, whole


def _value(text: str) -> str:
    for pattern in (_VALUE, _QUOTED):
        match = pattern.match(text)
        if match:
            value = match.group("value")
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            return value
    return ""


def say_in_indonesian(text: str) -> str:
    """The common loader phrases in Bahasa Indonesia (others kept as written)."""
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text, count=1)
    return text


def parse(message: str) -> Problem:
    match = _WHERE.match(message)
    if match is None:
        return Problem("", "", "", "", say_in_indonesian(message), message)
    text = match.group("text")
    return Problem(match.group("file").strip(), match.group("row") or "",
                   (match.group("column") or "").strip(), _value(text),
                   say_in_indonesian(text), message)


def one_line(message: str) -> str:
    """A loader message as one Indonesian line naming where: ``key: what to fix``."""
    problem = parse(message)
    where = problem.column or problem.file
    return f"{where}: {problem.fix}" if where else problem.fix


def parse_all(messages: list[str]) -> list[Problem]:
    return [parse(m) for m in messages]


CSV_HEADER = ("Berkas", "Baris", "Kolom", "Nilai", "Yang harus diperbaiki", "Pesan asli")


def csv_rows(problems: list[Problem]) -> list[list[str]]:
    return [[p.file, p.row, p.column, p.value, p.fix, p.message] for p in problems]
