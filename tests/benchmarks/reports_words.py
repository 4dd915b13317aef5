"""Words for the 20-JP benchmark data (tests/benchmarks/reports_data.py): names, units, jabatan,
trainings, as a kabupaten in West Java has them."""

from __future__ import annotations

OPD_NAMES = [
    "Dinas Pendidikan", "Dinas Kesehatan", "RSUD dr. Soekardjo", "Sekretariat Daerah",
    "Badan Perencanaan Pembangunan Daerah", "Badan Kepegawaian dan Pengembangan SDM",
    "Badan Pengelolaan Keuangan dan Aset Daerah", "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Sosial", "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Komunikasi dan Informatika",
    "Dinas Perhubungan", "Dinas Lingkungan Hidup", "Dinas Pertanian", "Dinas Ketahanan Pangan",
    "Dinas Perikanan", "Dinas Koperasi dan UKM", "Dinas Perindustrian dan Perdagangan",
    "Dinas Pariwisata dan Kebudayaan", "Dinas Pemuda dan Olahraga", "Dinas Tenaga Kerja",
    "Dinas Penanaman Modal dan PTSP", "Dinas Perpustakaan dan Kearsipan",
    "Dinas Pemberdayaan Masyarakat dan Desa", "Dinas Perumahan dan Kawasan Permukiman",
    "Dinas Pengendalian Penduduk dan KB", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "Satuan Polisi Pamong Praja", "Badan Penanggulangan Bencana Daerah",
    "Badan Kesatuan Bangsa dan Politik", "Badan Pendapatan Daerah", "Inspektorat Daerah",
    "Sekretariat DPRD", "Kecamatan Singaparna", "Kecamatan Manonjaya", "Kecamatan Cikatomas",
    "Kecamatan Salawu", "Kecamatan Ciawi", "Kecamatan Karangnunggal", "Kecamatan Cibalong",
]  # fmt: skip

FIRST = [
    "Ade", "Agus", "Ahmad", "Ani", "Asep", "Budi", "Cecep", "Dadang", "Dede", "Dewi", "Diah",
    "Dian", "Eka", "Endang", "Euis", "Fitri", "Hendra", "Iin", "Imas", "Indra", "Irma", "Iwan",
    "Lilis", "Maya", "Nana", "Neneng", "Nining", "Nur", "Rina", "Rudi", "Siti", "Sri", "Tati",
    "Teguh", "Ujang", "Wawan", "Yani", "Yayan", "Yusuf", "Zaenal",
]  # fmt: skip

LAST = [
    "Setiadi", "Suryana", "Hidayat", "Rahmawati", "Kurniawan", "Permana", "Nugraha", "Lestari",
    "Saputra", "Wulandari", "Gunawan", "Pratama", "Fauzi", "Maulana", "Sulastri", "Hermawan",
    "Kusnadi", "Ramdani", "Supriatna", "Hasanah", "Mulyana", "Firmansyah", "Rusmana", "Wahyudi",
    "Komalasari", "Sopandi", "Sumarni", "Iskandar", "Nurjanah", "Ruhiyat",
]  # fmt: skip

TITLES = [
    "", "", "", ", S.E.", ", S.Kom.", ", S.T., M.Si.", ", S.Pd.", ", A.Md.Kep.", ", S.H.",
]  # fmt: skip

GOL_PNS = [
    "II/a", "II/b", "II/c", "III/a", "III/a", "III/b", "III/b", "III/c", "III/c", "III/d", "IV/a",
    "IV/b",
]  # fmt: skip

GOL_PPPK = [
    "V", "V", "VII", "VII", "IX", "IX", "IX", "X", "X", "XI", "XI", "XII",
]  # fmt: skip

TRAININGS = [
    "Pelatihan Kepemimpinan Pengawas", "Bimbingan Teknis Pengadaan Barang/Jasa",
    "Diklat Teknis Penyusunan SAKIP", "Pelatihan Pelayanan Publik Prima",
    "Workshop Keamanan Informasi", "Bimtek Penatausahaan Keuangan Daerah",
    "Pelatihan Analisis Jabatan", "Seminar Nasional Transformasi Digital",
    "Pelatihan Manajemen Arsip Dinamis", "Diklat Penyusunan Standar Pelayanan",
]  # fmt: skip

ORGANISERS = [
    "BPSDM Provinsi Jawa Barat", "LAN RI", "LKPP", "Kementerian PANRB", "BSSN",
    "Kementerian Dalam Negeri", "ANRI",
]  # fmt: skip

JABATAN = {
    "jpt": ["Kepala Dinas", "Kepala Badan", "Sekretaris Daerah"],
    "administrator": ["Sekretaris", "Kepala Bidang", "Camat"],
    "pengawas": ["Kepala Seksi", "Kepala Subbagian Umum", "Kepala Subbidang"],
    "fungsional": ["Guru Ahli Pertama", "Perawat Ahli Muda", "Analis Kebijakan Ahli Muda"],
    "pelaksana": ["Pengadministrasi Perkantoran", "Pengolah Data", "Pengelola Keuangan"],
}
