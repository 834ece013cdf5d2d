"""Header matching and ``--map`` renames.

Exports spell the same column many ways (``NIP BARU``, ``nip_baru``, ``Nip.Baru``): a
header is compared by its *key*, lower case with spaces, underscores, dots and hyphens
made equivalent. ``--map MAP.yaml`` renames an export's own headers to the names this
importer reads, per file::

    pegawai:
      NIP 18: NIP BARU
      NAMA LENGKAP: NAMA
    peta_jabatan:
      KODE JABATAN: JABATAN ID

The keys of the YAML are the file roles (``pegawai``, ``peta_jabatan``, ``kinerja``,
``talenta``, ``hukdis``, ``kompetensi``, ``standar_kompetensi``, ``seleksi``,
``kamus_pendidikan``); inside, ``export header: header read here``. Both sides are
compared by key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from solver.importer.problems import Problems, show

ROLES = ("pegawai", "peta_jabatan", "kinerja", "talenta", "hukdis", "kompetensi",
         "standar_kompetensi", "seleksi", "kamus_pendidikan")


def key(header: str) -> str:
    """``NIP BARU`` / ``nip_baru`` / ``Nip.Baru`` / ``nip-baru`` -> ``nip baru``."""
    return re.sub(r"[\s_.\-]+", " ", header.strip().lower()).strip()


Renames = dict[str, dict[str, str]]  # role -> {export key: importer key}


def load_map(path: Path, problems: Problems) -> Renames:
    """Read ``--map``; every problem is added to ``problems`` (file, line, key)."""
    label = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.add(label, f"file not found ({path})")
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(label, f"cannot be read as UTF-8 text ({exc})")
        return {}
    try:
        doc: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problems.add(label + line, f"YAML syntax error: {getattr(exc, 'problem', exc)}")
        return {}
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        problems.add(label, "must map a file role to {export header: header read here}, "
                     "e.g. pegawai: {NIP 18: NIP BARU}")
        return {}
    renames: Renames = {}
    for role, mapping in doc.items():
        role_key = key(str(role)).replace(" ", "_")
        if role_key not in ROLES:
            problems.add(label, f"key {show(str(role))}: unknown file role; known roles: "
                         + ", ".join(ROLES))
            continue
        if not isinstance(mapping, dict):
            problems.add(label, f"key {role}: must be a mapping of export header: header read "
                         "here")
            continue
        for source, target in mapping.items():
            if not isinstance(target, str | int) or not isinstance(source, str | int):
                problems.add(label, f"key {role}.{source}: the new header must be text")
                continue
            renames.setdefault(role_key, {})[key(str(source))] = key(str(target))
    return renames
