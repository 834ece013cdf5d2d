"""Static catalogues for the scenario generator: OPD, functional posts, names.

Everything here is plain data in a fixed order (lists and tuples, never sets),
so that the generator's output depends only on the seed.
"""

from __future__ import annotations

COMPETENCIES = (
    "integritas",
    "kerja_sama",
    "komunikasi",
    "orientasi_pada_hasil",
    "pelayanan_publik",
    "pengembangan_diri_dan_orang_lain",
    "mengelola_perubahan",
    "pengambilan_keputusan",
    "perekat_bangsa",
)

GRADES = tuple(
    f"{roman}/{letter}"
    for roman, letters in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
    for letter in letters
)
RANK = {grade: rank for rank, grade in enumerate(GRADES, start=1)}

PERFORMANCE = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
PERFORMANCE_P = (0.15, 0.66, 0.12, 0.05, 0.02)
POTENTIAL = ("tinggi", "menengah", "rendah")
POTENTIAL_P = (0.20, 0.55, 0.25)

# Education levels: entry grade (DOMAIN.md: SMA II/a, D3 II/c, S1 III/a, S2 III/b, S3 III/c;
# SD I/a and SMP I/c from PP 99/2000 practice, unconfirmed) and national PNS counts
# (BKN, 31 Dec 2023) used as sampling weights.
EDUCATION = ("SD", "SMP", "SMA", "D3", "S1", "S2", "S3")
EDUCATION_ENTRY = (1, 3, 5, 7, 9, 10, 11)
EDUCATION_WEIGHT = (13_158, 28_141, 516_611, 420_094, 2_102_205, 457_758, 34_732)
EDUCATION_ENTRY_AGE = ((19, 26), (19, 27), (19, 30), (21, 32), (23, 35), (26, 38), (30, 42))

GENERAL_FIELDS = (
    "administrasi_publik",
    "hukum",
    "manajemen",
    "ekonomi",
    "akuntansi",
    "ilmu_pemerintahan",
)
LOW_FIELDS = ("umum", "administrasi_perkantoran", "teknik_mesin", "akuntansi")

# Functional posts (jabatan fungsional). kind "ahli" makes ahli pertama/muda/madya posts,
# "terampil" makes terampil/mahir/penyelia, "both" makes both ladders.
# (name, fields, required, kind, weight, per_kecamatan)
JF = {
    "guru": ("Guru", ("pendidikan",), True, "ahli", 10.0, True),
    "dokter": ("Dokter", ("kedokteran",), True, "ahli", 1.0, True),
    "perawat": ("Perawat", ("keperawatan",), True, "both", 2.0, True),
    "bidan": ("Bidan", ("kebidanan",), True, "both", 1.2, True),
    "apoteker": ("Apoteker", ("farmasi",), True, "ahli", 0.4, False),
    "epidemiolog": ("Epidemiolog Kesehatan", ("kesehatan_masyarakat",), False, "ahli", 0.4, False),
    "auditor": ("Auditor", ("akuntansi", "ekonomi"), False, "ahli", 2.0, False),
    "p2upd": ("Pengawas Penyelenggaraan Urusan Pemerintahan Daerah", ("hukum", "ilmu_pemerintahan"), False, "ahli", 1.0, False),
    "perencana": ("Perencana", ("perencanaan_wilayah", "ekonomi", "statistika"), False, "ahli", 1.0, False),
    "pranata_komputer": ("Pranata Komputer", ("teknologi_informasi",), False, "both", 1.0, False),
    "analis_sdm": ("Analis Sumber Daya Manusia Aparatur", ("manajemen_sdm", "administrasi_publik", "psikologi"), False, "ahli", 1.0, False),
    "asesor_sdm": ("Asesor Sumber Daya Manusia Aparatur", ("psikologi", "manajemen_sdm"), False, "ahli", 0.3, False),
    "arsiparis": ("Arsiparis", ("kearsipan",), False, "both", 0.6, False),
    "pustakawan": ("Pustakawan", ("ilmu_perpustakaan",), False, "both", 0.8, False),
    "polpp": ("Polisi Pamong Praja", ("hukum", "ilmu_pemerintahan"), False, "both", 3.0, False),
    "damkar": ("Analis Kebakaran", ("teknik_sipil", "teknik_mesin"), False, "both", 1.5, False),
    "pekerja_sosial": ("Pekerja Sosial", ("kesejahteraan_sosial",), False, "both", 1.0, False),
    "mediator": ("Mediator Hubungan Industrial", ("hukum", "manajemen"), False, "ahli", 0.5, False),
    "adminduk": ("Administrator Database Kependudukan", ("teknologi_informasi", "administrasi_publik"), False, "ahli", 0.6, False),
    "penyuluh_kb": ("Penyuluh Keluarga Berencana", ("kesehatan_masyarakat",), False, "ahli", 1.0, False),
    "penyuluh_pertanian": ("Penyuluh Pertanian", ("pertanian",), True, "both", 1.2, False),
    "pedal": ("Pengendali Dampak Lingkungan", ("teknik_lingkungan",), False, "ahli", 0.8, False),
    "penguji_kendaraan": ("Penguji Kendaraan Bermotor", ("transportasi", "teknik_mesin"), False, "both", 0.8, False),
    "teknik_jalan": ("Teknik Jalan dan Jembatan", ("teknik_sipil",), True, "both", 1.2, False),
    "penata_ruang": ("Penata Ruang", ("perencanaan_wilayah", "arsitektur"), False, "ahli", 0.6, False),
    "penilai_pajak": ("Penilai Pajak", ("akuntansi", "perpajakan"), False, "ahli", 0.6, False),
    "analis_keuangan": ("Analis Keuangan Pusat dan Daerah", ("akuntansi", "ekonomi"), False, "ahli", 1.0, False),
    "perancang": ("Perancang Peraturan Perundang-undangan", ("hukum",), True, "ahli", 0.5, False),
    "analis_kebijakan": ("Analis Kebijakan", ("administrasi_publik", "ilmu_pemerintahan", "ekonomi"), False, "ahli", 0.6, False),
    "pranata_humas": ("Pranata Hubungan Masyarakat", ("ilmu_komunikasi",), False, "both", 0.6, False),
    "analis_bencana": ("Analis Kebencanaan", ("teknik_sipil", "kesehatan_masyarakat"), False, "ahli", 0.5, False),
    "pengawas_perdagangan": ("Pengawas Perdagangan", ("ekonomi",), False, "ahli", 0.5, False),
    "pamong_budaya": ("Pamong Budaya", ("sejarah", "pariwisata"), False, "ahli", 0.4, False),
    "penyuluh": ("Penyuluh", ("komunikasi", "pendidikan"), False, "ahli", 3.0, False),
    "pranata_keuangan": ("Pranata Keuangan APBN", ("akuntansi",), False, "both", 1.0, False),
}

# Pelaksana posts: (title, grade_min, grade_max, weight)
PELAKSANA = (
    ("Pengadministrasi Perkantoran", "II/a", "III/d", 3.0),
    ("Pengelola Keuangan", "II/a", "III/d", 1.2),
    ("Pengelola Data dan Informasi", "II/c", "III/d", 1.0),
    ("Penata Layanan Operasional", "II/c", "III/d", 1.0),
    ("Operator Layanan Operasional", "I/c", "II/d", 0.8),
    ("Pengemudi", "I/c", "II/d", 0.5),
    ("Pramu Bakti", "I/a", "II/b", 0.4),
)

GENERIC_BIDANG = (
    "Perencanaan dan Pengembangan",
    "Pelayanan",
    "Pengawasan dan Pengendalian",
    "Pembinaan",
    "Data dan Informasi",
)
SEKSI = ("Program", "Pelaksanaan", "Evaluasi dan Pelaporan", "Pembinaan Teknis")
SUBBAG = ("Umum dan Kepegawaian", "Keuangan", "Perencanaan dan Pelaporan")

# City OPD in priority order (small profiles take the first ones).
# (name, head title, fields, jf keys, size, bidang names)
CITY_OPD = (
    ("Dinas Pendidikan", "Kepala Dinas", ("pendidikan",), ("guru",), 40.0,
     ("Pembinaan SD", "Pembinaan SMP", "PAUD dan Pendidikan Nonformal", "Ketenagaan")),
    ("Dinas Kesehatan", "Kepala Dinas", ("kesehatan_masyarakat", "kedokteran", "keperawatan"),
     ("dokter", "perawat", "bidan", "apoteker", "epidemiolog"), 12.0,
     ("Kesehatan Masyarakat", "Pencegahan dan Pengendalian Penyakit", "Pelayanan dan Sumber Daya Kesehatan")),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", "Kepala Badan", ("akuntansi", "ekonomi", "manajemen"),
     ("analis_keuangan",), 2.0, ("Anggaran", "Perbendaharaan", "Akuntansi", "Aset")),
    ("Dinas Komunikasi dan Informatika", "Kepala Dinas", ("teknologi_informasi", "ilmu_komunikasi"),
     ("pranata_komputer", "pranata_humas"), 1.2,
     ("Aplikasi Informatika", "Informasi dan Komunikasi Publik", "Persandian dan Statistik")),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "Kepala Dinas", ("teknik_sipil", "arsitektur", "perencanaan_wilayah"),
     ("teknik_jalan", "penata_ruang"), 2.5, ("Bina Marga", "Sumber Daya Air", "Penataan Ruang", "Bina Konstruksi")),
    ("Badan Perencanaan Pembangunan Daerah", "Kepala Badan", ("perencanaan_wilayah", "ekonomi", "statistika"),
     ("perencana",), 1.2, ("Perencanaan Ekonomi", "Perencanaan Sosial Budaya", "Infrastruktur dan Kewilayahan")),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "Kepala Badan",
     ("manajemen_sdm", "administrasi_publik", "psikologi"), ("analis_sdm", "asesor_sdm"), 1.2,
     ("Mutasi dan Promosi", "Pengembangan Kompetensi", "Pengadaan dan Informasi Kepegawaian")),
    ("Inspektorat", "Inspektur", ("akuntansi", "hukum", "ekonomi"), ("auditor", "p2upd"), 1.3,
     ("Inspektur Pembantu I", "Inspektur Pembantu II", "Inspektur Pembantu III", "Inspektur Pembantu IV")),
    ("Satuan Polisi Pamong Praja", "Kepala Satuan", ("hukum", "ilmu_pemerintahan"), ("polpp",), 3.0,
     ("Penegakan Perda", "Ketertiban Umum", "Perlindungan Masyarakat")),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Kepala Dinas", ("administrasi_publik", "teknologi_informasi"),
     ("adminduk",), 1.2, ("Pelayanan Pendaftaran Penduduk", "Pencatatan Sipil", "Pengelolaan Informasi Administrasi Kependudukan")),
    ("Rumah Sakit Umum Daerah", "Direktur", ("kedokteran", "keperawatan", "farmasi"),
     ("dokter", "perawat", "bidan", "apoteker"), 6.0, ("Pelayanan Medis", "Keperawatan", "Penunjang")),
    ("Dinas Sosial", "Kepala Dinas", ("kesejahteraan_sosial",), ("pekerja_sosial",), 1.0,
     ("Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial")),
    ("Dinas Lingkungan Hidup", "Kepala Dinas", ("teknik_lingkungan",), ("pedal",), 3.0,
     ("Pengelolaan Sampah", "Pengendalian Pencemaran", "Pertamanan")),
    ("Dinas Perhubungan", "Kepala Dinas", ("transportasi", "teknik_sipil"), ("penguji_kendaraan",), 2.0,
     ("Lalu Lintas", "Angkutan", "Sarana dan Prasarana")),
    ("Badan Pendapatan Daerah", "Kepala Badan", ("akuntansi", "perpajakan", "ekonomi"), ("penilai_pajak",), 1.5,
     ("Pajak Daerah", "Retribusi", "Penagihan dan Keberatan")),
    ("Sekretariat DPRD", "Sekretaris DPRD", ("hukum", "ilmu_pemerintahan"), ("perancang", "pranata_humas"), 1.2,
     ("Persidangan dan Perundang-undangan", "Keuangan", "Umum")),
    ("Dinas Ketahanan Pangan dan Pertanian", "Kepala Dinas", ("pertanian", "kedokteran_hewan"),
     ("penyuluh_pertanian",), 1.5, ("Ketahanan Pangan", "Tanaman Pangan dan Hortikultura", "Peternakan")),
    ("Dinas Tenaga Kerja", "Kepala Dinas", ("hukum", "manajemen"), ("mediator",), 0.8,
     ("Hubungan Industrial", "Penempatan Tenaga Kerja", "Pelatihan dan Produktivitas")),
    ("Dinas Perumahan dan Kawasan Permukiman", "Kepala Dinas", ("teknik_sipil", "arsitektur"), ("teknik_jalan",), 1.0,
     ("Perumahan", "Kawasan Permukiman", "Pertanahan")),
    ("Dinas Pengendalian Penduduk dan Keluarga Berencana", "Kepala Dinas", ("kesehatan_masyarakat",),
     ("penyuluh_kb",), 1.0, ("Pengendalian Penduduk", "Keluarga Berencana", "Ketahanan Keluarga")),
    ("Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "Kepala Dinas", ("kesejahteraan_sosial", "psikologi"),
     ("pekerja_sosial",), 0.7, ("Perlindungan Perempuan", "Perlindungan Anak", "Kualitas Hidup Perempuan")),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "Kepala Dinas", ("hukum", "ekonomi"),
     ("analis_kebijakan",), 0.8, ("Pelayanan Perizinan", "Penanaman Modal", "Pengaduan dan Pengawasan")),
    ("Dinas Koperasi dan Usaha Mikro", "Kepala Dinas", ("ekonomi", "manajemen"), ("analis_kebijakan",), 0.6,
     ("Koperasi", "Usaha Mikro", "Pengawasan Koperasi")),
    ("Dinas Perdagangan dan Perindustrian", "Kepala Dinas", ("ekonomi", "teknik_industri"),
     ("pengawas_perdagangan",), 1.0, ("Perdagangan", "Perindustrian", "Pasar")),
    ("Dinas Perpustakaan dan Kearsipan", "Kepala Dinas", ("ilmu_perpustakaan", "kearsipan"),
     ("pustakawan", "arsiparis"), 0.8, ("Perpustakaan", "Kearsipan")),
    ("Dinas Pemadam Kebakaran dan Penyelamatan", "Kepala Dinas", ("teknik_sipil", "teknik_mesin"), ("damkar",),
     1.5, ("Pemadaman dan Penyelamatan", "Pencegahan", "Sarana Prasarana")),
    ("Badan Kesatuan Bangsa dan Politik", "Kepala Badan", ("ilmu_politik", "ilmu_pemerintahan"),
     ("analis_kebijakan",), 0.5, ("Ideologi dan Wawasan Kebangsaan", "Politik Dalam Negeri", "Ketahanan Ekonomi Sosial Budaya")),
    ("Badan Penanggulangan Bencana Daerah", "Kepala Pelaksana", ("teknik_sipil", "kesehatan_masyarakat"),
     ("analis_bencana",), 0.7, ("Pencegahan dan Kesiapsiagaan", "Kedaruratan dan Logistik", "Rehabilitasi dan Rekonstruksi")),
    ("Dinas Pemuda dan Olahraga", "Kepala Dinas", ("pendidikan_jasmani",), ("analis_kebijakan",), 0.5,
     ("Kepemudaan", "Keolahragaan")),
    ("Dinas Pariwisata dan Kebudayaan", "Kepala Dinas", ("pariwisata", "sejarah"), ("pamong_budaya",), 0.7,
     ("Destinasi Pariwisata", "Pemasaran", "Kebudayaan")),
)

SETDA_BAGIAN = (
    "Pemerintahan", "Hukum", "Organisasi", "Perekonomian", "Kesejahteraan Rakyat",
    "Pengadaan Barang dan Jasa", "Umum", "Protokol dan Komunikasi Pimpinan", "Perencanaan dan Keuangan",
)

KECAMATAN_SEKSI = (
    "Pemerintahan", "Ketenteraman dan Ketertiban Umum", "Pemberdayaan Masyarakat",
    "Kesejahteraan Sosial", "Pelayanan Umum",
)
KELURAHAN_SEKSI = ("Pemerintahan", "Pemberdayaan Masyarakat", "Ketenteraman dan Ketertiban")

# Place names per city profile; further kecamatan/kelurahan get numbered names.
KECAMATAN_NAMES = {
    "binjai": ("Binjai Kota", "Binjai Utara", "Binjai Timur", "Binjai Selatan", "Binjai Barat"),
    "pematangsiantar": ("Siantar Barat", "Siantar Utara", "Siantar Timur", "Siantar Selatan",
                        "Siantar Marihat", "Siantar Martoba", "Siantar Sitalasari", "Siantar Marimbun"),
    "tangerang_selatan": ("Serpong", "Serpong Utara", "Ciputat", "Ciputat Timur", "Pamulang",
                          "Pondok Aren", "Setu"),
    "medan": ("Medan Amplas", "Medan Area", "Medan Barat", "Medan Baru", "Medan Belawan",
              "Medan Deli", "Medan Denai", "Medan Helvetia", "Medan Johor", "Medan Kota",
              "Medan Labuhan", "Medan Maimun", "Medan Marelan", "Medan Perjuangan", "Medan Petisah",
              "Medan Polonia", "Medan Selayang", "Medan Sunggal", "Medan Tembung", "Medan Timur",
              "Medan Tuntungan"),
}

PROVINCES = (
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Jambi", "Sumatera Selatan", "Bengkulu",
    "Lampung", "Kepulauan Bangka Belitung", "Kepulauan Riau", "DKI Jakarta", "Jawa Barat",
    "Jawa Tengah", "DI Yogyakarta", "Jawa Timur", "Banten", "Bali", "Nusa Tenggara Barat",
    "Nusa Tenggara Timur", "Kalimantan Barat", "Kalimantan Tengah", "Kalimantan Selatan",
    "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara", "Sulawesi Tengah",
    "Sulawesi Selatan", "Sulawesi Tenggara", "Gorontalo", "Sulawesi Barat", "Maluku",
    "Maluku Utara", "Papua", "Papua Barat",
)

MINISTRY_ESELON1 = (
    ("Sekretariat Jenderal", "Sekretaris Jenderal", "Biro",
     ("Perencanaan", "Keuangan", "Sumber Daya Manusia", "Hukum dan Organisasi", "Umum")),
    ("Inspektorat Jenderal", "Inspektur Jenderal", "Inspektorat Wilayah",
     ("I", "II", "III", "IV")),
    ("Direktorat Jenderal Pelayanan Publik", "Direktur Jenderal", "Direktorat",
     ("Pelayanan Dasar", "Standardisasi Layanan", "Pengawasan Layanan", "Sistem Informasi Layanan")),
    ("Direktorat Jenderal Bina Program", "Direktur Jenderal", "Direktorat",
     ("Perencanaan Program", "Kerja Sama", "Pemberdayaan", "Evaluasi Program")),
    ("Direktorat Jenderal Sarana", "Direktur Jenderal", "Direktorat",
     ("Sarana Prasarana", "Pengadaan", "Pemeliharaan", "Pengelolaan Aset")),
    ("Badan Pengembangan Sumber Daya Manusia", "Kepala Badan", "Pusat",
     ("Pendidikan dan Pelatihan", "Pengembangan Kompetensi", "Sertifikasi")),
)

MALE = (
    "Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Rizki", "Agus",
    "Bambang", "Andi", "Rudi", "Hadi", "Yusuf", "Teguh", "Wahyu", "Arif", "Dimas", "Fikri",
    "Gilang", "Hafiz", "Indra", "Lukman", "Muhammad", "Nanda", "Reza", "Sandi", "Taufik",
    "Zulkifli", "Rahmat", "Syahrul", "Darwin", "Ferry", "Benny", "Ronald", "Marulam", "Togar",
)
FEMALE = (
    "Siti", "Dewi", "Sri", "Rina", "Nur", "Fitri", "Ayu", "Indah", "Lestari", "Maya", "Putri",
    "Ratna", "Wulan", "Yanti", "Dian", "Eka", "Hana", "Intan", "Kartika", "Lina", "Melati",
    "Nabila", "Rahmawati", "Sari", "Tiara", "Rosmawati", "Juliana", "Erna", "Novita", "Masitah",
)
FAMILY = (
    "Siregar", "Nasution", "Lubis", "Harahap", "Sitompul", "Simanjuntak", "Hutapea", "Tarigan",
    "Ginting", "Sembiring", "Purba", "Damanik", "Saragih", "Sinaga", "Pane", "Batubara",
    "Hasibuan", "Rangkuti", "Daulay", "Pohan", "Santoso", "Wijaya", "Saputra", "Pratama",
    "Hidayat", "Kusuma", "Setiawan", "Rahman", "Syahputra", "Permana", "Manurung", "Situmorang",
    "Panjaitan", "Matondang", "Hutagalung", "Marpaung", "Sihombing", "Gultom", "Nainggolan",
    "Rambe",
)
