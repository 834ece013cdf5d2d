"""Generator profiles, calibrated to public figures (see scenarios/README.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Shape of a generated organisation and its planning round.

    kind
        ``city`` (Sekretariat Daerah, dinas/badan, kecamatan with kelurahan) or
        ``ministry`` (eselon I units, eselon II units, kantor wilayah and
        kantor kabupaten/kota).
    opd
        City: number of OPD including Sekretariat Daerah and the kecamatan.
        Ministry: number of provinces with a kantor wilayah.
    kecamatan, kelurahan
        City: number of kecamatan and kelurahan. Ministry: ``kelurahan`` is
        the number of kantor kabupaten/kota per kantor wilayah.
    bidang, seksi
        Inclusive ranges of bidang per dinas and seksi per bidang.
    setda_bagian
        Number of bagian in the Sekretariat Daerah.
    scope_units, scope_levels
        The planning round written into ``scenario.yaml`` (``None`` = all).
    abolished
        Posts in scope turned into headcount 0 (holders must move).
    voice
        Also write the MODEL.md section 9 tables: ``preferences.csv`` (career
        preferences) and ``units.csv`` (IKM per unit). Off by default; the other
        tables are the same either way (``solver.generate.voice``).
    """

    name: str
    title: str
    kind: str
    employees: int
    opd: int
    kecamatan: int
    kelurahan: int
    place: str = ""
    bidang: tuple[int, int] = (3, 4)
    seksi: tuple[int, int] = (2, 3)
    setda_bagian: int = 9
    scope_units: tuple[str, ...] | None = None
    scope_levels: tuple[int, ...] | None = (3, 4)
    abolished: int = 2
    vacancy_rate: float = 0.08
    unplaced_rate: float = 0.006
    discipline_rate: float = 0.02
    as_of: dt.date = dt.date(2027, 1, 2)
    year_label: str = "2027"
    voice: bool = False


PROFILES: dict[str, Profile] = {
    "demo": Profile(
        name="demo",
        title="Kota Binjai (demo, lima OPD dan satu kecamatan)",
        kind="city",
        employees=300,
        opd=6,
        kecamatan=1,
        kelurahan=3,
        place="binjai",
        bidang=(3, 3),
        seksi=(2, 2),
        setda_bagian=3,
        scope_levels=(3, 4),
        abolished=2,
        unplaced_rate=0.01,
        discipline_rate=0.025,
    ),
    "kota_binjai": Profile(
        name="kota_binjai",
        title="Kota Binjai",
        kind="city",
        employees=3_500,
        opd=30,
        kecamatan=5,
        kelurahan=37,
        place="binjai",
        bidang=(3, 4),
        seksi=(2, 3),
        setda_bagian=7,
        abolished=3,
    ),
    "kota_pematangsiantar": Profile(
        name="kota_pematangsiantar",
        title="Kota Pematangsiantar",
        kind="city",
        employees=5_841,
        opd=34,
        kecamatan=8,
        kelurahan=53,
        place="pematangsiantar",
        abolished=4,
    ),
    "kota_tangerang_selatan": Profile(
        name="kota_tangerang_selatan",
        title="Kota Tangerang Selatan",
        kind="city",
        employees=8_000,
        opd=37,
        kecamatan=7,
        kelurahan=54,
        place="tangerang_selatan",
        bidang=(3, 5),
        abolished=5,
    ),
    "kota_medan": Profile(
        name="kota_medan",
        title="Kota Medan",
        kind="city",
        employees=11_192,
        opd=51,
        kecamatan=21,
        kelurahan=151,
        place="medan",
        bidang=(4, 5),
        seksi=(2, 3),
        abolished=6,
    ),
    "ministry": Profile(
        name="ministry",
        title="Kementerian (profil 50.000 pegawai)",
        kind="ministry",
        employees=50_000,
        opd=34,
        kecamatan=0,
        kelurahan=10,
        bidang=(4, 5),
        seksi=(2, 3),
        scope_levels=(4, 5),
        abolished=8,
        unplaced_rate=0.004,
    ),
}
