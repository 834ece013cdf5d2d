"""Responses that hand a file to the browser, with a safe ``Content-Disposition``.

A download's file name often comes from user text (a scenario's name, an uploaded
file's name). Put into the header as it is, a ``"`` or ``;`` would end the file name
early and add parameters, a CR/LF would add headers, and a ``/`` or ``..`` would
suggest a path. :func:`content_disposition` builds the header from RFC 6266: a plain
ASCII ``filename="..."`` fallback (letters, digits, ``.``, ``-``, ``_``, space) and
the full name, percent-encoded UTF-8, in ``filename*`` (RFC 8187), which every
current browser prefers. The file's content must come from :mod:`solver.tabular`
when it is a spreadsheet or CSV.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi import Response

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

_MAX_NAME = 150
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._\- ]")


def safe_filename(name: str, default: str = "unduhan") -> str:
    """``name`` as a plain file name: no directory, no control characters, no leading
    dots or spaces, at most 150 characters; ``default`` when nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _CONTROL.sub("", unicodedata.normalize("NFC", base)).strip().lstrip(". ")
    return base[:_MAX_NAME] or default


def content_disposition(name: str, default: str = "unduhan") -> str:
    """The ``Content-Disposition: attachment`` value for a file called ``name``."""
    full = safe_filename(name, default)
    # Accents drop to their base letter (é -> e); other non-ASCII characters become "_".
    ascii_name = "".join(c if c.isascii() else "" if unicodedata.combining(c) else "_"
                         for c in unicodedata.normalize("NFKD", full))
    ascii_name = _NOT_ASCII_SAFE.sub("_", ascii_name).strip().lstrip(". ") or default
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full, safe='')}"


def attachment(content: bytes, name: str, media_type: str) -> Response:
    """A response that downloads ``content`` as the file ``name`` (not cached)."""
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": content_disposition(name),
                             "Cache-Control": "no-store"})
