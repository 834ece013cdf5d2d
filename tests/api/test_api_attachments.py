"""api.attachments: a download's file name built from user text cannot break the header."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.attachments import CSV_MEDIA_TYPE, attachment, content_disposition, safe_filename

HOSTILE = [
    'rencana"; filename="evil.exe',
    "rencana\r\nSet-Cookie: a=b.xlsx",
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "Putaran Mutasi Dinas Kesehatan — Tahap Ⅱ.xlsx",
    "=HYPERLINK(1);x.csv",
    "\x00\x07",
    "...",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_header_has_one_plain_fallback_and_the_encoded_full_name(name):
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header
    match = re.fullmatch(r"attachment; filename=\"([A-Za-z0-9._\- ]+)\"; "
                         r"filename\*=UTF-8''([A-Za-z0-9%._\-~]+)", header)
    assert match, header
    fallback, encoded = match.groups()
    assert not fallback.startswith(".") and "/" not in fallback
    full = unquote(encoded)
    assert full == safe_filename(name)
    assert "/" not in full and "\\" not in full and not full.startswith(".")


def test_the_full_name_keeps_its_unicode_and_the_fallback_is_ascii():
    header = content_disposition("Lampiran SK — Tahap Ⅱ, Dinas Pendidikan Café.xlsx")
    assert 'filename="Lampiran SK _ Tahap II_ Dinas Pendidikan Cafe.xlsx"' in header
    assert (unquote(header.split("UTF-8''")[1])
            == "Lampiran SK — Tahap Ⅱ, Dinas Pendidikan Café.xlsx")


def test_nothing_left_falls_back_to_the_default():
    assert safe_filename("../..") == "unduhan"
    assert safe_filename("\x00", "plans.csv") == "plans.csv"
    assert content_disposition("...").startswith('attachment; filename="unduhan"')


def test_attachment_response_carries_the_header_unchanged():
    app = FastAPI()
    name = 'a"\r\nX-Injected: 1;b.csv'

    @app.get("/f")
    def download():
        return attachment(b"nama\n'=1+1\n", name, CSV_MEDIA_TYPE)

    response = TestClient(app).get("/f")
    assert response.status_code == 200
    assert "x-injected" not in response.headers
    assert response.headers["content-disposition"] == content_disposition(name)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("text/csv")
