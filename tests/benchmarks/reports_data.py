# ruff: noqa: S608  (SQL text is built from integers, dates and names computed here, never from input)
"""The data behind the 20-JP report benchmark (PRODUCT.md §6 "Reports"): an instansi with a unit
tree, `learners` people who count in its 20-JP report, and `progress` lesson_progress rows.

Generated with set-based SQL (INSERT … SELECT over generate_series on PostgreSQL, a recursive
CTE on SQLite), never with ORM objects, so 100,000 learners and 1,000,000 progress rows take
minutes on two cores. Every value comes from a hash of the row's number or id, so a run is
deterministic. What is made, for an instansi `BENCH_CODE` and a small other one:

- units: `opd` OPD × `bidang` bidang × `sub` sub-units (40 × 5 × 3 = 840 by default); people
  sit 9 % on an OPD, 23 % on a bidang, 68 % on a sub-unit; OPD sizes are skewed (the first,
  Dinas Pendidikan, holds about a fifth of everyone, as teachers do in a kabupaten);
- people: `learners` active, not retired (they are the report's rows), plus 2 % deactivated and
  1.5 % retired (who stay out of the counts), plus 1 % in the other instansi; valid unique
  18-digit NIPs (birth date, TMT, gender, sequence), jenis ASN 78 % PNS / 5 % CPNS / 17 % PPPK
  with a fitting golongan, jenis jabatan from JPT to pelaksana; one password hash for all; the
  first learner is also the instansi's HR officer;
- enrolments in the courses already imported (`cakap init`), a third of them completed between
  1 July of the previous year and yesterday; all lessons of a completed enrolment are done, and
  an in-progress one has done a prefix of its lessons, so that there are exactly `progress`
  lesson_progress rows;
- the JP ledger: one jp_entry per completed enrolment (source `course`) and per verified
  external training (source `external`; 0–4 trainings a person, 2–15 JP each, some pending or
  rejected); a certificate per completed enrolment, with the yearly counter set after them.

`ensure` (tests/benchmarks/reports.py) keeps the database and reuses it while `marker()` says it
holds the same parameters: generating is the slow part."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.models import AppSetting, Instansi, Unit
from tests.benchmarks.reports_words import (
    FIRST,
    GOL_PNS,
    GOL_PPPK,
    JABATAN,
    LAST,
    OPD_NAMES,
    ORGANISERS,
    TITLES,
    TRAININGS,
)

VERSION = 1  # bump when the generated data changes shape: a kept database is then rebuilt
MARKER = "bench.reports"
BENCH_CODE = "9901"
OTHER_CODE = "9902"
PASSWORD = "Bench-Laporan-2026"
PLACEHOLDER_PDF = b"%PDF-1.7\n% Cakap benchmark placeholder\n%%EOF\n"
_HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
_P = 2147483629  # a prime below 2**31: hashes stay well inside 64-bit products


@dataclass(frozen=True)
class Scale:
    learners: int = 100_000  # people who count in the 20-JP report (active, not retired)
    progress: int = 1_000_000  # lesson_progress rows
    opd: int = 40
    bidang: int = 5
    sub: int = 3
    year: int = 2026  # the report's JP year; earlier rows fall in the year before
    today: date = date(2026, 11, 30)

    @property
    def inactive(self) -> int:
        return self.learners * 2 // 100

    @property
    def retired(self) -> int:
        return self.learners * 15 // 1000

    @property
    def outsiders(self) -> int:
        return max(1, self.learners // 100)

    @property
    def units(self) -> int:
        return self.opd * (1 + self.bidang * (1 + self.sub))

    def key(self) -> dict[str, Any]:
        """What a kept database must match to be reused (not `today`: a database generated
        yesterday serves today as well)."""
        return {"version": VERSION, **asdict(self), "today": None}


class GenerationError(RuntimeError):
    pass


_MULTIPLIERS = (
    1103515245, 506952113, 1876351029, 1597334677, 1220703125, 1789253249, 1345678901,
    1140671485, 2027865013, 1664525677, 1948329743,
)  # fmt: skip


def _hash(expr: str, salt: int) -> str:
    """A deterministic pseudo-random non-negative integer from an integer expression."""
    a = _MULTIPLIERS[salt % len(_MULTIPLIERS)] + salt
    return f"((CAST({expr} AS bigint) * {a} + {12345 + 7919 * salt}) % {_P})"


class Sql:
    """The few expressions PostgreSQL and SQLite write differently."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def series(self, n: int) -> str:
        if self.pg:
            return f"generate_series(1, {int(n)}) AS s(i)"
        return (
            "(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
            f"WHERE i < {int(n)}) SELECT i FROM r) AS s"
        )

    def day(self, base: date, offset: str) -> str:
        """`base` plus `offset` (≥ 0) days, a date."""
        if self.pg:
            return f"(DATE '{base.isoformat()}' + CAST({offset} AS integer))"
        return f"date('{base.isoformat()}', '+' || ({offset}) || ' days')"

    def ts(self, day: str, seconds: str) -> str:
        """Midnight UTC of the date `day` plus `seconds` (≥ 0), a UTC timestamp."""
        if self.pg:
            return f"((CAST({day} AS timestamp) + ({seconds}) * INTERVAL '1 second') AT TIME ZONE 'UTC')"
        return f"datetime({day}, '+' || ({seconds}) || ' seconds')"

    def shift(self, ts: str, seconds: str) -> str:
        if self.pg:
            return f"({ts} + ({seconds}) * INTERVAL '1 second')"
        return f"datetime({ts}, printf('%+d seconds', {seconds}))"

    def wib_date(self, ts: str) -> str:
        if self.pg:
            return f"CAST(({ts}) AT TIME ZONE 'Asia/Jakarta' AS date)"
        return f"date({ts}, '+7 hours')"

    def year(self, day: str) -> str:
        if self.pg:
            return f"CAST(EXTRACT(YEAR FROM {day}) AS integer)"
        return f"CAST(strftime('%Y', {day}) AS integer)"

    def ymd(self, day: str) -> str:
        return f"to_char({day}, 'YYYYMMDD')" if self.pg else f"strftime('%Y%m%d', {day})"

    @staticmethod
    def pad(expr: str, width: int) -> str:
        return f"substr(CAST({10**width} + ({expr}) AS varchar(24)), 2)"


def marker(session: Session) -> dict[str, Any] | None:
    row = session.get(AppSetting, MARKER)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else None


def _units(
    session: Session, instansi: Instansi, scale: Scale, prefix: str
) -> list[tuple[int, int]]:
    """The unit tree; (unit id, weight) per unit, the weight being its share of the people."""
    weighted: list[tuple[int, int]] = []
    for o in range(scale.opd):
        name = OPD_NAMES[o % len(OPD_NAMES)] + ("" if o < len(OPD_NAMES) else f" {o + 1}")
        weight = (40, 15, 8)[o] if o < 3 else 1 + (o * 7) % 4
        opd = Unit(instansi_id=instansi.id, code=f"{prefix}{o + 1:02d}", name=name)
        session.add(opd)
        session.flush()
        weighted.append((opd.id, 2 * weight))
        for b in range(scale.bidang):
            bidang = Unit(
                instansi_id=instansi.id,
                parent_id=opd.id,
                code=f"{opd.code}.B{b + 1}",
                name=("Sekretariat" if b == 0 else f"Bidang {b}") + f" {name}",
            )
            session.add(bidang)
            session.flush()
            weighted.append((bidang.id, weight))
            subs = [
                Unit(
                    instansi_id=instansi.id,
                    parent_id=bidang.id,
                    code=f"{bidang.code}.S{s + 1}",
                    name=f"Subbagian {s + 1} {bidang.name}",
                )
                for s in range(scale.sub)
            ]
            session.add_all(subs)
            session.flush()
            weighted += [(sub.id, weight) for sub in subs]
    return weighted


def generate(session: Session, scale: Scale, password_hash: str) -> dict[str, Any]:
    """Fill an empty (of people) database whose schema and courses exist; return the counts."""
    conn = session.connection()
    sql = Sql(conn.dialect.name)
    if session.scalar(
        select(func.count()).select_from(Instansi).where(Instansi.code == BENCH_CODE)
    ):
        raise GenerationError("the benchmark instansi exists already: use a fresh database")
    if conn.execute(text("SELECT count(*) FROM certificate")).scalar():
        raise GenerationError("certificates exist already: use a fresh database")
    courses = conn.execute(
        text("SELECT count(*) FROM course WHERE current_version_id IS NOT NULL")
    ).scalar()
    if not courses:
        raise GenerationError("no course: run `cakap init` first")

    bench = Instansi(code=BENCH_CODE, name="Pemerintah Kabupaten Uji Beban")
    other = Instansi(code=OTHER_CODE, name="Pemerintah Kota Uji Beban")
    session.add_all([bench, other])
    session.flush()
    small = Scale(learners=scale.learners, opd=2, bidang=2, sub=1)
    groups = [
        (bench.id, _units(session, bench, scale, "D")),
        (other.id, _units(session, other, small, "K")),
    ]

    def run(statement: str, **params: Any) -> int:
        return conn.execute(text(statement), params).rowcount

    run(
        "CREATE TEMP TABLE bench_slot (grp integer, slot integer, unit_id integer, PRIMARY KEY (grp, slot))"
    )
    run(
        "CREATE TEMP TABLE bench_word (kind varchar(20), idx integer, word varchar(200), PRIMARY KEY (kind, idx))"
    )
    slots = []
    for grp, (_, weighted) in enumerate(groups):
        n = 0
        for unit_id, weight in weighted:
            slots += [{"g": grp, "s": n + k, "u": unit_id} for k in range(weight)]
            n += weight
    conn.execute(text("INSERT INTO bench_slot VALUES (:g, :s, :u)"), slots)
    totals = [sum(w for _, w in weighted) for _, weighted in groups]
    words = {"first": FIRST, "last": LAST, "title": TITLES, "gol_pns": GOL_PNS,
             "gol_pppk": GOL_PPPK, "training": TRAININGS, "organiser": ORGANISERS,
             **{f"jab_{k}": v for k, v in JABATAN.items()}}  # fmt: skip
    conn.execute(
        text("INSERT INTO bench_word VALUES (:k, :i, :w)"),
        [{"k": k, "i": i, "w": w} for k, values in words.items() for i, w in enumerate(values)],
    )

    # -- people ------------------------------------------------------------------------------
    n, inactive, retired = scale.learners, scale.inactive, scale.retired
    total = n + inactive + retired + scale.outsiders
    born = date(1966, 1, 1)
    birth = sql.day(born, "s.i % 12000")
    appointed = sql.year(birth) + " + 20 + s.i % 6"
    people = f"""
    INSERT INTO user_account (nip, email, name, jenis_asn, golongan, jenis_jabatan, jabatan,
        instansi_id, unit_id, password_hash, is_active, retired_on, must_change_password,
        privacy_accepted_at, created_at, updated_at)
    SELECT {sql.ymd(birth)}
           || CAST(CASE WHEN s.h2 % 100 >= 83 THEN 2019 + s.i % 6 ELSE {appointed} END AS varchar(4))
           || {sql.pad("1 + s.i % 12", 2)} || CAST(1 + (s.i / 3) % 2 AS varchar(1))
           || {sql.pad("1 + s.i / 12000", 3)},
           CASE WHEN s.h1 % 10 < 6 THEN 'asn' || CAST(s.i AS varchar(12)) || '@uji-beban.go.id' END,
           f.word || ' ' || l.word || t.word,
           CASE WHEN s.h2 % 100 < 78 THEN 'PNS' WHEN s.h2 % 100 < 83 THEN 'CPNS' ELSE 'PPPK' END,
           CASE WHEN s.h2 % 100 >= 83 THEN gk.word WHEN s.h2 % 100 >= 78 THEN 'III/a' ELSE gp.word END,
           j.kind, j.word,
           CASE WHEN s.i > {n + inactive + retired} THEN {groups[1][0]} ELSE {groups[0][0]} END,
           sl.unit_id, :password,
           CASE WHEN s.i > {n} AND s.i <= {n + inactive} THEN FALSE ELSE TRUE END,
           CASE WHEN s.i > {n + inactive} AND s.i <= {n + inactive + retired}
                THEN {sql.day(scale.today - timedelta(days=701), "(s.h3 % 700)")} END,
           FALSE,
           {sql.ts(sql.day(date(scale.year - 2, 1, 1), "s.h4 % 700"), "3600")},
           {sql.ts(sql.day(date(scale.year - 2, 1, 1), "s.h4 % 700"), "0")},
           {sql.ts(sql.day(date(scale.year - 2, 1, 1), "s.h4 % 700"), "0")}
    FROM (SELECT s.i, {_hash("s.i", 1)} AS h1, {_hash("s.i", 2)} AS h2, {_hash("s.i", 3)} AS h3,
                 {_hash("s.i", 4)} AS h4, {_hash("s.i", 5)} AS h5 FROM {sql.series(total)}) s
    JOIN bench_slot sl ON sl.grp = CASE WHEN s.i > {n + inactive + retired} THEN 1 ELSE 0 END
        AND sl.slot = (s.h1 / 10) % CASE WHEN s.i > {n + inactive + retired} THEN {totals[1]} ELSE {totals[0]} END
    JOIN bench_word f ON f.kind = 'first' AND f.idx = (s.h5 / 7) % {len(FIRST)}
    JOIN bench_word l ON l.kind = 'last' AND l.idx = (s.h5 / 331) % {len(LAST)}
    JOIN bench_word t ON t.kind = 'title' AND t.idx = (s.h3 / 13) % {len(TITLES)}
    JOIN bench_word gp ON gp.kind = 'gol_pns' AND gp.idx = (s.h3 / 7) % {len(GOL_PNS)}
    JOIN bench_word gk ON gk.kind = 'gol_pppk' AND gk.idx = (s.h3 / 7) % {len(GOL_PPPK)}
    JOIN (SELECT substr(kind, 5) AS kind, idx, word FROM bench_word WHERE kind LIKE 'jab_%') j
        ON j.idx = (s.h4 / 11) % 3 AND j.kind = CASE WHEN s.h4 % 100 < 2 THEN 'jpt'
            WHEN s.h4 % 100 < 6 THEN 'administrator' WHEN s.h4 % 100 < 14 THEN 'pengawas'
            WHEN s.h4 % 100 < 55 THEN 'fungsional' ELSE 'pelaksana' END
    ORDER BY s.i"""
    made = run(people, password=password_hash)
    if made != total:
        raise GenerationError(f"{made} people made, {total} expected")
    scope = f"IN ({groups[0][0]}, {groups[1][0]})"
    run(
        f"INSERT INTO user_role (user_id, role) SELECT id, 'learner' FROM user_account WHERE instansi_id {scope}"
    )
    hr_id, hr_nip = conn.execute(
        text("SELECT id, nip FROM user_account WHERE instansi_id = :i ORDER BY id LIMIT 1"),
        {"i": bench.id},
    ).one()
    run(
        "INSERT INTO user_role (user_id, role, instansi_id) VALUES (:u, 'hr', :i)",
        u=hr_id,
        i=bench.id,
    )

    # -- enrolments, progress ---------------------------------------------------------------------
    start = date(scale.year - 1, 7, 1)
    span = (scale.today - start).days - 1  # completions up to yesterday
    key = "u.id * 8 + c.k"
    done_day = sql.day(start, "x.hd % " + str(span))
    run(f"""
    INSERT INTO enrollment (user_id, course_id, version_id, run_id, status, enrolled_at,
        completed_at, pretest_score, posttest_score, learning_gain)
    SELECT x.uid, x.cid, x.vid, x.rid,
           CASE WHEN x.hc % 100 < 34 THEN 'completed' ELSE 'in_progress' END,
           CASE WHEN x.hc % 100 < 34
                THEN {sql.shift(sql.ts(done_day, "7200"), "-(3 + x.hc % 50) * 86400")}
                ELSE {sql.ts(done_day, "7200")} END,
           CASE WHEN x.hc % 100 < 34 THEN {sql.ts(done_day, "10800 + x.hc % 28000")} END,
           30 + x.hc % 50,
           CASE WHEN x.hc % 100 < 34 THEN 70 + (x.hc / 100) % 31 END,
           CASE WHEN x.hc % 100 < 34
                THEN CAST(40 + (x.hc / 100) % 31 - x.hc % 50 AS float) / (70 - x.hc % 50) END
    FROM (SELECT u.id AS uid, c.id AS cid, c.current_version_id AS vid, c.rid,
                 {_hash(key, 5)} AS he, {_hash(key, 6)} AS hc, {_hash(key, 7)} AS hd
          FROM user_account u
          CROSS JOIN (SELECT co.id, co.current_version_id,
                             row_number() OVER (ORDER BY co.id) AS k, r.id AS rid
                      FROM course co JOIN course_run r ON r.course_id = co.id AND r.is_open
                      WHERE co.current_version_id IS NOT NULL) c
          WHERE u.instansi_id {scope}) x
    WHERE x.he % 100 < 60
    ORDER BY x.uid, x.cid""")
    lessons = """(SELECT c.id AS course_id, m.slug || '/' || l.slug AS lesson_key,
                 row_number() OVER (PARTITION BY c.id ORDER BY m.position, l.position) AS ordinal,
                 count(*) OVER (PARTITION BY c.id) AS total
          FROM course c JOIN module m ON m.version_id = c.current_version_id
          JOIN lesson l ON l.module_id = m.id)"""
    mine = f"e.user_id IN (SELECT id FROM user_account WHERE instansi_id {scope})"
    completed = run(f"""
    INSERT INTO lesson_progress (enrollment_id, lesson_key, completed_at)
    SELECT e.id, l.lesson_key, {sql.shift("e.completed_at", "(l.ordinal - l.total) * 3600")}
    FROM enrollment e JOIN {lessons} l ON l.course_id = e.course_id
    WHERE e.status = 'completed' AND {mine}
    ORDER BY e.id, l.ordinal""")
    remaining = scale.progress - completed
    if remaining < 0:
        raise GenerationError(
            f"completed enrolments alone hold {completed:,} lesson_progress rows, more than "
            f"{scale.progress:,}: ask for more progress rows"
        )
    # Each in-progress enrolment has done a prefix of its lessons: rows are taken in the order
    # of ordinal × a per-enrolment pace, which grows with the ordinal within an enrolment.
    partial = run(f"""
    INSERT INTO lesson_progress (enrollment_id, lesson_key, completed_at)
    SELECT enrollment_id, lesson_key, done FROM (
        SELECT e.id AS enrollment_id, l.lesson_key, l.ordinal,
               {sql.shift("e.enrolled_at", "l.ordinal * 3600")} AS done,
               l.ordinal * (1 + {_hash("e.id", 8)} % 6) AS pace
        FROM enrollment e JOIN {lessons} l ON l.course_id = e.course_id AND l.ordinal < l.total
        WHERE e.status = 'in_progress' AND {mine}) p
    ORDER BY pace, enrollment_id, ordinal
    LIMIT {int(remaining)}""")
    if partial != remaining:
        raise GenerationError(
            f"in-progress enrolments can hold {partial:,} more lesson_progress rows, "
            f"{remaining:,} are needed: ask for fewer"
        )

    # -- the JP ledger and certificates -----------------------------------------------------------
    run(f"""
    INSERT INTO jp_entry (user_id, year, jp, source, title, earned_on, enrollment_id)
    SELECT e.user_id, {sql.year(sql.wib_date("e.completed_at"))}, v.jp, 'course', v.title,
           {sql.wib_date("e.completed_at")}, e.id
    FROM enrollment e JOIN course_version v ON v.id = e.version_id
    WHERE e.status = 'completed' AND {mine}""")
    ext_start = date(scale.year - 1, 10, 1)
    ext_span = (scale.today - ext_start).days - 14
    trainings = "CASE WHEN x.he < 20 THEN 0 WHEN x.he < 42 THEN 1 WHEN x.he < 70 THEN 2 WHEN x.he < 90 THEN 3 ELSE 4 END"
    jp = "(2 + (x.hx / 13) % 16)"
    end_day = sql.day(ext_start, f"x.hx % {ext_span} + ({jp} - 1) / 8")
    status = "CASE WHEN (x.hx / 17) % 100 < 85 THEN 'verified' WHEN (x.hx / 17) % 100 < 93 THEN 'pending' ELSE 'rejected' END"
    run(
        f"""
    INSERT INTO external_training (user_id, title, organiser, certificate_number, number_key,
        start_date, end_date, jp, certificate, certificate_sha256, filename, status,
        submitted_at, reviewed_by_id, reviewed_at)
    SELECT x.uid, t.word, o.word, 'EXT/' || CAST(x.uid AS varchar(12)) || '/' || CAST(x.n AS varchar(2)),
           lower('EXT/' || CAST(x.uid AS varchar(12)) || '/' || CAST(x.n AS varchar(2)) || '|' || o.word),
           {sql.day(ext_start, f"x.hx % {ext_span}")}, {end_day}, {jp}, :pdf,
           '{_HEX[:52]}' || {sql.pad("x.uid", 10)} || {sql.pad("x.n", 2)},
           'sertifikat.pdf', {status},
           {sql.ts(end_day, "86400 + 3600")},
           CASE WHEN {status} = 'pending' THEN NULL ELSE {hr_id} END,
           CASE WHEN {status} = 'pending' THEN NULL ELSE {sql.ts(end_day, "3 * 86400 + 7200")} END
    FROM (SELECT u.id AS uid, s.i AS n, {_hash("u.id", 9)} % 100 AS he,
                 {_hash("u.id * 8 + s.i", 10)} AS hx
          FROM user_account u CROSS JOIN {sql.series(4)}
          WHERE u.instansi_id {scope}) x
    JOIN bench_word t ON t.kind = 'training' AND t.idx = (x.hx / 7) % {len(TRAININGS)}
    JOIN bench_word o ON o.kind = 'organiser' AND o.idx = (x.hx / 101) % {len(ORGANISERS)}
    WHERE x.n <= {trainings}
    ORDER BY x.uid, x.n""",
        pdf=PLACEHOLDER_PDF,
    )
    run(f"""
    INSERT INTO jp_entry (user_id, year, jp, source, title, earned_on, external_id)
    SELECT x.user_id, {sql.year("x.end_date")}, x.jp, 'external', x.title, x.end_date, x.id
    FROM external_training x
    WHERE x.status = 'verified' AND x.user_id IN (SELECT id FROM user_account WHERE instansi_id {scope})""")
    run(
        f"""
    INSERT INTO certificate (enrollment_id, user_id, course_id, version_id, year, seq, number,
        verification_code, issued_at, issued_on, predicate, score, status, pdf, sha256)
    SELECT c.eid, c.user_id, c.course_id, c.version_id, c.year, c.seq,
           {sql.pad("c.seq", 5)} || '/' || c.code || '/BKPSDM/' || CAST(c.year AS varchar(4)),
           'UJI' || {sql.pad("c.eid", 12)}, c.completed_at, c.earned_on,
           CASE WHEN c.score >= 90 THEN 'Sangat Memuaskan' WHEN c.score >= 80 THEN 'Memuaskan'
                ELSE 'Baik' END,
           c.score, 'valid', :pdf,
           '{_HEX[:48]}' || {sql.pad("c.eid", 16)}
    FROM (SELECT e.id AS eid, e.user_id, e.course_id, e.version_id, j.year, j.earned_on,
                 e.completed_at, e.posttest_score AS score, co.code,
                 row_number() OVER (PARTITION BY j.year ORDER BY e.completed_at, e.id) AS seq
          FROM enrollment e JOIN jp_entry j ON j.enrollment_id = e.id
          JOIN course co ON co.id = e.course_id
          WHERE e.status = 'completed' AND {mine}) c""",
        pdf=PLACEHOLDER_PDF,
    )
    run("DELETE FROM certificate_counter")
    run(
        "INSERT INTO certificate_counter (year, last) SELECT year, max(seq) FROM certificate GROUP BY year"
    )
    run("DROP TABLE bench_slot")
    run("DROP TABLE bench_word")

    counts = count(session, scale, bench.id, other.id)
    counts.update(hr_nip=hr_nip, instansi_id=bench.id)
    session.add(
        AppSetting(
            key=MARKER,
            value={"scale": scale.key(), "today": scale.today.isoformat(), "counts": counts},
        )
    )
    session.flush()
    return counts


def count(session: Session, scale: Scale, bench_id: int, other_id: int) -> dict[str, Any]:
    """What the database holds, counted independently of how it was generated."""
    conn = session.connection()
    mine = f"user_id IN (SELECT id FROM user_account WHERE instansi_id IN ({bench_id}, {other_id}))"

    def one(query: str, **params: Any) -> int:
        return int(conn.execute(text(query), params).scalar() or 0)

    today = scale.today.isoformat()
    counted = "instansi_id = :b AND is_active = :t AND (retired_on IS NULL OR retired_on > :today)"
    return {
        "people": one(
            f"SELECT count(*) FROM user_account WHERE {counted}", b=bench_id, t=True, today=today
        ),
        "inactive": one(
            "SELECT count(*) FROM user_account WHERE instansi_id = :b AND is_active = :f",
            b=bench_id,
            f=False,
        ),
        "retired": one(
            "SELECT count(*) FROM user_account WHERE instansi_id = :b AND retired_on <= :today",
            b=bench_id,
            today=today,
        ),
        "outsiders": one("SELECT count(*) FROM user_account WHERE instansi_id = :o", o=other_id),
        "units": one("SELECT count(*) FROM unit WHERE instansi_id = :b", b=bench_id),
        "enrollments": one(f"SELECT count(*) FROM enrollment WHERE {mine}"),
        "completed": one(f"SELECT count(*) FROM enrollment WHERE status = 'completed' AND {mine}"),
        "lesson_progress": one(
            f"SELECT count(*) FROM lesson_progress WHERE enrollment_id IN (SELECT id FROM enrollment WHERE {mine})"
        ),
        "external_training": one(f"SELECT count(*) FROM external_training WHERE {mine}"),
        "jp_entries": one(f"SELECT count(*) FROM jp_entry WHERE {mine}"),
        "jp_entries_year": one(
            f"SELECT count(*) FROM jp_entry WHERE year = :y AND {mine}", y=scale.year
        ),
        "certificates": one(f"SELECT count(*) FROM certificate WHERE {mine}"),
    }
