"""The course checker's messages in formal Indonesian, for the trainers' browser pages.

The checker (app/courses/files.py, rules.py, the validators in schemas.py and pydantic itself)
reports in English: `cakap courses check` and many tests rely on those exact words, so they
stay. The pages translate at display time with `in_indonesian`, which knows every message the
checker can produce, keeps the concrete parts (field paths, ids, numbers, file names) verbatim
and returns anything it does not know unchanged (the zip checks of app/authoring/archive.py are
already Indonesian)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

Template = str | Callable[[re.Match[str]], str]

# "path:line: message", as str(Problem) writes it (the import page's warnings).
_PATH_LINE: Final = re.compile(r"(?P<head>[^:\n]*:\d+: )(?P<rest>.+)", re.DOTALL)
# "<loc>: message", as files.py writes a pydantic error: `questions[3].choices: ...`.
_LOC: Final = re.compile(
    r"(?P<head>[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*: )(?P<rest>.+)", re.DOTALL
)

# What the course format's patterns (app/courses/schemas.py) ask for, in words.
_PATTERN_WORDS: Final = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "huruf kecil a-z, angka 0-9, dan tanda hubung (-)",
    "^[A-Z0-9][A-Z0-9-]{1,19}$": "2–20 karakter huruf besar A-Z, angka 0-9, atau tanda hubung (-), "
    "diawali huruf atau angka",
    "^[a-z0-9]+([-_][a-z0-9]+)*$": "huruf kecil a-z, angka 0-9, tanda hubung (-), "
    "atau garis bawah (_)",
    "^[A-Za-z0-9_-]{1,20}$": "1–20 karakter huruf, angka, tanda hubung (-), atau garis bawah (_)",
}

# The reasons pydantic gives after "Input should be a valid URL, ".
_URL_REASONS: Final = {
    "input is empty": "isinya kosong",
    "empty host": "nama host kosong",
    "relative URL without a base": "bukan URL lengkap; tulis dengan http:// atau https://",
    "invalid port number": "nomor port tidak sah",
    "invalid IPv4 address": "alamat IPv4 tidak sah",
    "invalid IPv6 address": "alamat IPv6 tidak sah",
    "invalid international domain name": "nama domain tidak sah",
    "invalid domain character": "nama domain berisi karakter yang tidak sah",
}

# PyYAML's token names, as they appear in "but found '<block mapping start>'".
_YAML_TOKENS: Final = {
    "<block mapping start>": "awal pemetaan blok",
    "<block sequence start>": "awal daftar blok",
    "<block end>": "akhir blok",
    "<block entry>": "butir daftar '-'",
    "<scalar>": "nilai",
    "<alias>": "alias",
    "<anchor>": "anchor",
    "<tag>": "tag",
    "<document start>": "awal dokumen '---'",
    "<document end>": "akhir dokumen '...'",
    "<stream start>": "awal berkas",
    "<stream end>": "akhir berkas",
    "<directive>": "direktif",
}

# PyYAML's "while ..." contexts, named by the part of the file where the trouble began.
_YAML_CONTEXTS: Final = {
    "while scanning a simple key": "kunci",
    "while parsing a block mapping": "pemetaan blok",
    "while parsing a block collection": "daftar blok",
    "while parsing a flow sequence": "daftar dalam [ ]",
    "while parsing a flow mapping": "pemetaan dalam { }",
    "while parsing a block node": "nilai",
    "while parsing a flow node": "nilai",
    "while parsing a node": "nilai",
    "while scanning a quoted scalar": "teks bertanda kutip",
    "while scanning a double-quoted scalar": "teks bertanda kutip ganda",
    "while scanning a block scalar": "teks blok (| atau >)",
    "while scanning a plain scalar": "nilai",
    "while scanning for the next token": "token",
    "while scanning a directive": "direktif",
    "while scanning an anchor": "anchor",
    "while scanning an alias": "alias",
    "while scanning a tag": "tag",
    "while parsing a tag": "tag",
    "while scanning a %TAG directive": "direktif %TAG",
    "while parsing a %TAG directive": "direktif %TAG",
    "while constructing a mapping": "pemetaan",
}


def _token(name: str) -> str:
    """A PyYAML token as PyYAML quotes it (`'<scalar>'`, `':'`), named in Indonesian."""
    bare = name.strip("'\"")
    return _YAML_TOKENS.get(bare, f"'{bare}'")


def _choices(listing: str) -> str:
    """`'a', 'b' or 'c'` → `'a', 'b', 'c'`."""
    return re.sub(r"' or '", "', '", listing)


def _pattern(match: re.Match[str]) -> str:
    pattern = match["pattern"]
    words = _PATTERN_WORDS.get(pattern)
    if words is None:
        return f"tidak sesuai pola '{pattern}'"
    return f"hanya boleh berisi {words} (pola '{pattern}')"


def _url(match: re.Match[str]) -> str:
    reason = match["reason"]
    return f"harus URL yang sah ({_URL_REASONS.get(reason, reason)})"


def _decimal(number: str) -> str:
    return number.replace(".", ",")


def _listing(ids: str) -> str:
    return "tidak ada" if ids == "none" else ids


def _yaml(match: re.Match[str]) -> str:
    problem = _yaml_problem(match["problem"])
    if match["context"] is None:
        return f"kesalahan sintaks YAML: {problem}"
    context = _YAML_CONTEXTS.get(match["context"], match["context"])
    return f"kesalahan sintaks YAML: {problem} ({context} yang dimulai pada baris {match['line']})"


def _yaml_problem(problem: str) -> str:
    for pattern, template in _YAML_PROBLEMS:
        found = pattern.fullmatch(problem)
        if found:
            return _apply(template, found)
    return problem


_YAML_PROBLEMS: Final[list[tuple[re.Pattern[str], Template]]] = [
    (
        re.compile(r"mapping values are not allowed here"),
        "tanda ':' tidak diizinkan di sini (periksa indentasi, atau beri tanda kutip pada teks "
        "yang berisi ': ')",
    ),
    (
        re.compile(r"sequence entries are not allowed here"),
        "butir daftar '-' tidak diizinkan di sini (periksa indentasi)",
    ),
    (
        re.compile(r"mapping keys are not allowed here"),
        "kunci '?' tidak diizinkan di sini (periksa indentasi)",
    ),
    (re.compile(r"could not find expected ':'"), "tanda ':' yang diharapkan tidak ditemukan"),
    (
        re.compile(r"found character '\\t' that cannot start any token"),
        "karakter tab tidak boleh dipakai di sini (gunakan spasi untuk indentasi)",
    ),
    (
        re.compile(r"found character (?P<ch>.+) that cannot start any token"),
        "karakter {ch} tidak dapat mengawali token",
    ),
    (
        re.compile(r"expected (?P<want>'?<[a-z ]+>'?), but found (?P<got>.+)"),
        lambda m: f"diharapkan {_token(m['want'])}, tetapi ditemukan {_token(m['got'])}",
    ),
    (
        re.compile(r"expected the node content, but found (?P<got>.+)"),
        lambda m: f"diharapkan isi nilai, tetapi ditemukan {_token(m['got'])}",
    ),
    (
        re.compile(r"expected (?P<want>',' or '[\]}]'), but got (?P<got>.+)"),
        lambda m: (
            f"diharapkan {m['want'].replace(' or ', ' atau ')}, tetapi ditemukan {_token(m['got'])}"
        ),
    ),
    (
        re.compile(r"found unexpected end of stream"),
        "berkas berakhir sebelum tanda kutip penutup",
    ),
    (
        re.compile(r"found unexpected document separator"),
        "ditemukan pemisah dokumen ('---' atau '...') yang tidak terduga",
    ),
    (
        re.compile(r"found unknown escape character (?P<ch>.+)"),
        "karakter escape {ch} tidak dikenal",
    ),
    (
        re.compile(
            r"expected escape sequence of (?P<n>\d+) hexadecimal numbers, but found (?P<ch>.+)"
        ),
        "diharapkan escape berisi {n} digit heksadesimal, tetapi ditemukan {ch}",
    ),
    (
        re.compile(r"expected indentation indicator in the range 1-9, but found 0"),
        "indikator indentasi harus 1–9, bukan 0",
    ),
    (
        re.compile(r"expected chomping or indentation indicators, but found (?P<ch>.+)"),
        "diharapkan indikator chomping (+ atau -) atau indentasi (1–9), tetapi ditemukan {ch}",
    ),
    (
        re.compile(r"expected a comment or a line break, but found (?P<ch>.+)"),
        "diharapkan komentar atau akhir baris, tetapi ditemukan {ch}",
    ),
    (
        re.compile(r"expected alphabetic or numeric character, but found (?P<ch>.+)"),
        "diharapkan huruf atau angka, tetapi ditemukan {ch}",
    ),
    (re.compile(r"found undefined alias (?P<name>.+)"), "alias {name} belum didefinisikan"),
    (
        re.compile(r"found undefined tag handle (?P<name>.+)"),
        "penanda tag {name} belum didefinisikan",
    ),
    (
        re.compile(r"could not determine a constructor for the tag (?P<tag>.+)"),
        "tag {tag} tidak didukung",
    ),
    (
        re.compile(r"found unhashable key"),
        "kunci tidak boleh berupa daftar atau pemetaan",
    ),
    (re.compile(r"found duplicate YAML directive"), "direktif %YAML muncul dua kali"),
    (
        re.compile(r"found incompatible YAML document \(version 1\.\* is required\)"),
        "versi dokumen YAML tidak didukung (harus versi 1.*)",
    ),
]


# Every message the checker writes, whole (after "<loc>: " or "path:line: " is taken off).
_MESSAGES: Final[list[tuple[re.Pattern[str], Template]]] = [
    # -- app/courses/files.py ----------------------------------------------------------------
    (re.compile(r"file is not UTF-8"), "berkas bukan UTF-8"),
    (
        re.compile(
            r"YAML syntax error: but found another document "
            r"\(expected a single document in the stream started on line (?P<line>\d+)\)"
        ),
        "kesalahan sintaks YAML: berkas hanya boleh berisi satu dokumen YAML, tetapi ditemukan "
        "dokumen lain (dokumen pertama dimulai pada baris {line})",
    ),
    (
        re.compile(
            r"YAML syntax error: second occurrence \(found duplicate anchor (?P<name>.+); "
            r"first occurrence started on line (?P<line>\d+)\)"
        ),
        "kesalahan sintaks YAML: anchor {name} dipakai dua kali (pertama kali pada baris {line})",
    ),
    (
        re.compile(
            r"YAML syntax error: (?P<problem>.+?)"
            r"(?: \((?P<context>(?:while|found|expected) .+) started on line (?P<line>\d+)\))?",
            re.DOTALL,
        ),
        _yaml,
    ),
    (
        re.compile(r"expected a mapping of fields"),
        "isi berkas harus berupa pemetaan kolom (kunci: nilai)",
    ),
    (
        re.compile(r"course folder name (?P<slug>.+) is not a valid slug \(a-z, 0-9, -\)"),
        "nama folder kursus {slug} bukan slug yang sah (hanya a-z, 0-9, dan -)",
    ),
    (
        re.compile(r"module folders are named NN-<slug> \(e\.g\. 01-konsep-dasar\)"),
        "nama folder modul harus berbentuk NN-<slug> (mis. 01-konsep-dasar)",
    ),
    (
        re.compile(r"position (?P<position>\d+) is also used by (?P<other>.+)"),
        "urutan {position} sudah dipakai oleh {other}",
    ),
    (
        re.compile(r"a course needs at least one module folder NN-<slug>/"),
        "kursus harus memiliki paling sedikit satu folder modul NN-<slug>/",
    ),
    (
        re.compile(r"image (?P<ref>.+) not found in the course's media/ folder"),
        "gambar {ref} tidak ada di folder media/ kursus",
    ),
    (re.compile(r"module\.yaml is missing"), "berkas module.yaml tidak ada"),
    (
        re.compile(r"unexpected file in a module folder \(expected NN-<slug>\.md\)"),
        "berkas ini tidak semestinya ada di folder modul (yang diharapkan: NN-<slug>.md, "
        "module.yaml, atau quiz.yaml)",
    ),
    (
        re.compile(r"lesson files are named NN-<slug>\.md \(e\.g\. 01-pengantar\.md\)"),
        "nama berkas pelajaran harus berbentuk NN-<slug>.md (mis. 01-pengantar.md)",
    ),
    (
        re.compile(r"a module needs at least one lesson NN-<slug>\.md"),
        "modul harus memiliki paling sedikit satu pelajaran NN-<slug>.md",
    ),
    (
        re.compile(r"a lesson starts with YAML front matter between --- lines"),
        "pelajaran harus diawali front matter YAML di antara dua baris ---",
    ),
    (re.compile(r"the lesson has no content"), "pelajaran ini tidak memiliki isi"),
    (
        re.compile(r"question id (?P<id>.+) is used more than once in the course"),
        "id soal {id} dipakai lebih dari sekali dalam kursus",
    ),
    (
        re.compile(r"media type \(none\) is not allowed \((?P<allowed>.+)\)"),
        "berkas media tanpa ekstensi tidak diizinkan (yang diizinkan: {allowed})",
    ),
    (
        re.compile(r"media type (?P<suffix>\S+) is not allowed \((?P<allowed>.+)\)"),
        "jenis media {suffix} tidak diizinkan (yang diizinkan: {allowed})",
    ),
    (
        re.compile(r"media files are limited to (?P<size>\d+ MB)"),
        "ukuran berkas media paling besar {size}",
    ),
    (re.compile(r"not a folder"), "bukan folder"),
    (
        re.compile(r"no course\.yaml found in this folder or its subfolders"),
        "tidak ada course.yaml di folder ini atau subfoldernya",
    ),
    (
        re.compile(r"code (?P<code>\S+) is also used by (?P<other>.+)"),
        "kode {code} sudah dipakai oleh {other}",
    ),
    # -- app/courses/service.py and teaching.py (shown with the import page's warnings) ------
    (
        re.compile(r"code (?P<code>\S+) already belongs to course (?P<other>.+)"),
        "kode {code} sudah dipakai oleh kursus {other}",
    ),
    (
        re.compile(r"trainer (?P<nip>\S+): no account with this NIP yet; linked at a later import"),
        "pengajar {nip}: belum ada akun dengan NIP ini; akan ditautkan pada impor berikutnya",
    ),
    (
        re.compile(r"trainer (?P<nip>\S+): the account does not hold the trainer role"),
        "pengajar {nip}: akun ini tidak memiliki peran pengajar",
    ),
    # -- validators in app/courses/schemas.py ------------------------------------------------
    (re.compile(r"NIP (?P<nip>\S+) is listed twice"), "NIP {nip} tercantum dua kali"),
    (
        re.compile(r"a (?P<type>\w+) question needs at least 2 choices"),
        "soal {type} harus memiliki paling sedikit 2 pilihan (choices)",
    ),
    (
        re.compile(r"a single question needs exactly 1 correct choice, has (?P<count>\d+)"),
        "soal single harus memiliki tepat 1 pilihan benar, saat ini {count}",
    ),
    (
        re.compile(r"a multiple question needs at least 1 correct choice"),
        "soal multiple harus memiliki paling sedikit 1 pilihan benar",
    ),
    (
        re.compile(r"choice ids must be unique within the question"),
        "id pilihan tidak boleh sama dalam satu soal",
    ),
    (
        re.compile(r"a (?P<type>\w+) question takes choices, not answer/answers"),
        "soal {type} memakai choices, bukan answer/answers",
    ),
    (
        re.compile(r"a truefalse question needs answer: true or false"),
        "soal truefalse harus memiliki answer: true atau false",
    ),
    (
        re.compile(r"a truefalse question takes only answer"),
        "soal truefalse hanya memakai answer (tanpa choices dan answers)",
    ),
    (
        re.compile(r"a short question needs a non-empty answers list"),
        "soal short harus memiliki daftar answers yang tidak kosong",
    ),
    (
        re.compile(r"a short question takes only answers"),
        "soal short hanya memakai answers (tanpa choices dan answer)",
    ),
    (
        re.compile(r"use either draw or draw_per_objective, not both"),
        "gunakan draw atau draw_per_objective, tidak keduanya",
    ),
    (
        re.compile(r"draw is (?P<draw>\d+) but the pool has only (?P<count>\d+) questions"),
        "draw bernilai {draw}, tetapi bank soal hanya berisi {count} soal",
    ),
    # -- app/courses/rules.py ----------------------------------------------------------------
    (
        re.compile(
            r"objective (?P<id>.+) is not measured by any pre-test or post-test question "
            r"\(kisi-kisi\)"
        ),
        "tujuan pembelajaran {id} tidak diukur oleh soal pre-test atau post-test mana pun "
        "(kisi-kisi)",
    ),
    (
        re.compile(
            r"objective id (?P<id>.+) is also used in (?P<other>.+); "
            r"objective ids are unique within the course"
        ),
        "id tujuan pembelajaran {id} sudah dipakai di {other}; id tujuan pembelajaran harus unik "
        "dalam kursus",
    ),
    (
        re.compile(
            r"every (?P<test>pre-test|post-test) question needs objective: "
            r"\(the id of a module objective it measures\)"
        ),
        "setiap soal {test} harus memiliki objective: (id tujuan pembelajaran modul yang "
        "diukurnya)",
    ),
    (
        re.compile(
            r"unknown objective (?P<id>.+) \(not declared in any module\.yaml of the course\)"
        ),
        "tujuan pembelajaran {id} tidak dikenal (tidak tercantum di module.yaml mana pun dalam "
        "kursus)",
    ),
    (
        re.compile(r"draw_per_objective is for pretest\.yaml and posttest\.yaml only"),
        "draw_per_objective hanya untuk pretest.yaml dan posttest.yaml",
    ),
    (
        re.compile(
            r"draw_per_objective is (?P<k>\d+) but objective (?P<id>.+) has only "
            r"(?P<count>\d+) questions? in this pool"
        ),
        "draw_per_objective bernilai {k}, tetapi tujuan pembelajaran {id} hanya memiliki "
        "{count} soal dalam bank soal ini",
    ),
    (
        re.compile(
            r"draw_per_objective is (?P<post>\d+) here but (?P<pre>\d+) in pretest\.yaml; "
            r"the pre-test and post-test must draw the same number per objective"
        ),
        "draw_per_objective bernilai {post} di sini, tetapi {pre} di pretest.yaml; pre-test dan "
        "post-test harus mengundi jumlah soal yang sama per tujuan pembelajaran",
    ),
    (
        re.compile(
            r"the pre-test and post-test must measure the same objectives; "
            r"only in posttest\.yaml: (?P<post>.+); only in pretest\.yaml: (?P<pre>.+)"
        ),
        lambda m: (
            "pre-test dan post-test harus mengukur tujuan pembelajaran yang sama; hanya di "
            f"posttest.yaml: {_listing(m['post'])}; hanya di pretest.yaml: {_listing(m['pre'])}"
        ),
    ),
    (
        re.compile(
            r"jp is (?P<jp>\d+) but the lessons take (?P<minutes>\d+) minutes = "
            r"(?P<exact>[\d.]+) JP of (?P<per>\d+) minutes, which rounds "
            r"\((?P<rounding>\w+)\) to (?P<expected>\d+)"
        ),
        lambda m: (
            f"jp bernilai {m['jp']}, tetapi pelajaran berdurasi {m['minutes']} menit = "
            f"{_decimal(m['exact'])} JP (1 JP = {m['per']} menit), yang dibulatkan "
            f"(jp_rounding: {m['rounding']}) menjadi {m['expected']}"
        ),
    ),
    # -- pydantic (app/courses/schemas.py) ---------------------------------------------------
    (re.compile(r"Value error, (?P<inner>.+)", re.DOTALL), lambda m: in_indonesian(m["inner"])),
    (re.compile(r"Field required"), "wajib diisi"),
    (re.compile(r"unknown field|Extra inputs are not permitted"), "kolom tidak dikenal"),
    (re.compile(r"Input should be a valid string"), "harus berupa teks"),
    (
        re.compile(r"String should have at least (?P<n>\d+) characters?"),
        "minimal {n} karakter",
    ),
    (
        re.compile(r"String should have at most (?P<n>\d+) characters?"),
        "maksimal {n} karakter",
    ),
    (re.compile(r"String should match pattern '(?P<pattern>.*)'", re.DOTALL), _pattern),
    (re.compile(r"Input should be a valid integer"), "harus bilangan bulat"),
    (
        re.compile(r"Input should be a valid integer, unable to parse string as an integer"),
        "harus bilangan bulat (tulis dengan angka)",
    ),
    (
        re.compile(r"Input should be a valid integer, got a number with a fractional part"),
        "harus bilangan bulat, bukan pecahan",
    ),
    (
        re.compile(r"Unable to parse input string as an integer, exceeded maximum size"),
        "harus bilangan bulat (angkanya terlalu panjang)",
    ),
    (re.compile(r"Input should be a finite number"), "harus bilangan yang terhingga"),
    (re.compile(r"Input should be a valid number.*"), "harus berupa angka"),
    (
        re.compile(r"Input should be greater than or equal to (?P<n>-?[\d.]+)"),
        "paling sedikit {n}",
    ),
    (
        re.compile(r"Input should be less than or equal to (?P<n>-?[\d.]+)"),
        "paling banyak {n}",
    ),
    (re.compile(r"Input should be greater than (?P<n>-?[\d.]+)"), "harus lebih dari {n}"),
    (re.compile(r"Input should be less than (?P<n>-?[\d.]+)"), "harus kurang dari {n}"),
    (
        re.compile(r"Input should be (?P<listing>'[^']*'(?:, '[^']*')* or '[^']*')"),
        lambda m: f"harus salah satu dari: {_choices(m['listing'])}",
    ),
    (re.compile(r"Input should be (?P<value>'[^']*')"), "harus {value}"),
    (
        re.compile(
            r"List should have at least (?P<n>\d+) items? after validation, not (?P<got>\d+)"
        ),
        "harus berisi paling sedikit {n} butir (saat ini {got})",
    ),
    (
        re.compile(
            r"List should have at most (?P<n>\d+) items? after validation, not (?P<got>\d+)"
        ),
        "harus berisi paling banyak {n} butir (saat ini {got})",
    ),
    (re.compile(r"Input should be a valid list"), "harus berupa daftar"),
    (
        re.compile(r"Input should be a valid boolean(?:, unable to interpret input)?"),
        "harus true atau false",
    ),
    (
        re.compile(r"Input should be a valid dictionary(?: or instance of \w+)?"),
        "harus berupa pemetaan kolom (kunci: nilai)",
    ),
    (re.compile(r"Input should be a valid URL, (?P<reason>.+)"), _url),
    (
        re.compile(r"URL scheme should be 'http' or 'https'"),
        "URL harus diawali http:// atau https://",
    ),
    (re.compile(r"URL input should be a string or URL"), "harus berupa URL"),
    (
        re.compile(r"URL should have at most (?P<n>\d+) characters?"),
        "URL maksimal {n} karakter",
    ),
]


def _apply(template: Template, match: re.Match[str]) -> str:
    if isinstance(template, str):
        return template.format_map(match.groupdict())
    return template(match)


def _whole(message: str) -> str | None:
    for pattern, template in _MESSAGES:
        found = pattern.fullmatch(message)
        if found:
            return _apply(template, found)
    return None


def _after_prefix(prefix: re.Pattern[str], message: str) -> str | None:
    """`head` kept verbatim, the rest translated; None when the rest is not known."""
    found = prefix.fullmatch(message)
    if not found:
        return None
    rest = in_indonesian(found["rest"])
    return found["head"] + rest if rest != found["rest"] else None


def in_indonesian(message: str) -> str:
    """A checker message in formal Indonesian: `questions[3].choices: Field required` →
    `questions[3].choices: wajib diisi`; `path:line: message` keeps `path:line: `. A message
    it does not know (or one already in Indonesian) comes back unchanged."""
    return (
        _whole(message)
        or _after_prefix(_PATH_LINE, message)
        or _after_prefix(_LOC, message)
        or message
    )
