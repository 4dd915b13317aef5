"""A course folder as a zip (PRODUCT.md §5): written from files, and read back safely.

Reading refuses, before anything is unpacked: a file over the size limit, more entries or more
unpacked bytes than allowed, absolute paths, `..`, symbolic links, encrypted entries, and
anything outside one top folder (the course's slug). What passes is unpacked into a temporary
folder and read by the same checker as `cakap courses check`; problems name the path inside
the zip."""

from __future__ import annotations

import io
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.config import get_settings
from app.courses import files
from app.courses.parsed import ParsedCourse, Problem, display_path

# A fixed timestamp: the same course always gives the same zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_IGNORED = {"__MACOSX", ".DS_Store", "Thumbs.db"}
_DRIVE = re.compile(r"^[A-Za-z]:")


def zip_bytes(slug: str, course_files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in sorted(course_files.items()):
            info = zipfile.ZipInfo(f"{slug}/{path}", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


@dataclass
class ZipCheck:
    """A zip read and checked: the course when it has no problem (errors), else the problems."""

    slug: str | None
    course: ParsedCourse | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def _refused(message: str, path: str = "", slug: str | None = None) -> ZipCheck:
    return ZipCheck(slug, None, [Problem(path, 0, message)])


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return "Jalur absolut atau bergaya Windows tidak diizinkan di dalam zip."
    if "\x00" in name or any(part in ("..", ".") for part in name.split("/")):
        return "Jalur yang keluar dari folder kursus ('..') tidak diizinkan."
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "Tautan simbolik (symlink) tidak diizinkan di dalam zip."
    if info.flag_bits & 0x1:
        return "Berkas terenkripsi (berkata sandi) tidak didukung."
    return None


def check_zip(data: bytes, *, minutes_per_jp: int | None = None) -> ZipCheck:
    """Read a course zip: every problem at once when the entries are safe, else the unsafe ones."""
    settings = get_settings()
    if len(data) > settings.course_zip_max_bytes:
        return _refused(
            f"Berkas zip terlalu besar (batas {_megabytes(settings.course_zip_max_bytes)})."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return _refused("Berkas ini bukan zip yang sah.")
    if len(infos) > settings.course_zip_max_entries:
        return _refused(
            f"Zip berisi {len(infos)} entri; batasnya {settings.course_zip_max_entries}."
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > settings.course_zip_max_unpacked_bytes:
        limit = _megabytes(settings.course_zip_max_unpacked_bytes)
        return _refused(f"Isi zip setelah dibuka terlalu besar (batas {limit}).")

    problems: list[Problem] = []
    tops: set[str] = set()
    names: set[str] = set()
    wanted: list[zipfile.ZipInfo] = []
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        if not parts or parts[0] in _IGNORED or parts[-1] in _IGNORED:
            continue
        unsafe = _entry_problem(info)
        if unsafe:
            problems.append(Problem(info.filename, 0, unsafe))
            continue
        if info.filename in names:
            problems.append(Problem(info.filename, 0, "Berkas ini muncul dua kali di dalam zip."))
            continue
        names.add(info.filename)
        if len(parts) == 1 and not info.is_dir():
            problems.append(
                Problem(
                    info.filename,
                    0,
                    "Berkas harus berada di dalam folder kursus (satu folder teratas <slug>/).",
                )
            )
            continue
        tops.add(parts[0])
        if not info.is_dir():
            wanted.append(info)
    if len(tops) > 1:
        listed = ", ".join(sorted(tops))
        problems.append(
            Problem("", 0, f"Zip harus berisi tepat satu folder teratas (folder kursus): {listed}.")
        )
    if problems:
        return ZipCheck(None, None, problems)
    if not tops:
        return _refused("Zip ini kosong: tidak ada folder kursus.")
    (slug,) = tops
    if f"{slug}/course.yaml" not in names:
        return _refused("course.yaml tidak ada di folder kursus.", f"{slug}/course.yaml", slug)

    with tempfile.TemporaryDirectory(prefix="cakap-zip-") as tmp:
        root = Path(tmp)
        cap = settings.course_zip_max_unpacked_bytes
        written = 0
        for info in wanted:
            target = root.joinpath(*PurePosixPath(info.filename).parts)
            if root.resolve() not in target.resolve().parents:
                return _refused("Jalur di luar folder kursus.", info.filename, slug)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, target.open("wb") as sink:
                    while chunk := source.read(1024 * 1024):
                        written += len(chunk)
                        if written > cap:
                            too_big = f"(batas {_megabytes(cap)})"
                            return _refused(
                                f"Isi zip setelah dibuka terlalu besar {too_big}.", slug=slug
                            )
                        sink.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
                return _refused(
                    "Berkas ini rusak atau memakai kompresi yang tidak didukung.",
                    info.filename,
                    slug,
                )
        parsed, errors, warnings = files.check_course(root / slug, minutes_per_jp=minutes_per_jp)
        prefix = display_path(root) + "/"
        relative = [_inside(p, prefix) for p in errors]
        relative_warnings = [_inside(p, prefix) for p in warnings]
    if parsed is not None:
        parsed.folder = Path(slug)  # where a later problem (a code in use) points: in the zip
        parsed.warnings = relative_warnings
    return ZipCheck(slug, parsed, relative, relative_warnings)


def _inside(problem: Problem, prefix: str) -> Problem:
    return Problem(problem.path.removeprefix(prefix), problem.line, problem.message)
