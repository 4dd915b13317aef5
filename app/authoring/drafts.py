"""Drafts: the next version of a course, edited in the browser (issue 14, items 1, 4 and 5).

A draft holds the course's files (PRODUCT.md §4) as rows, so everything the file format says
holds here too: the same checker as `cakap courses check` (through the zip reader, so a draft
publishes exactly as its exported zip would import), the same import that makes a version, the
same identities (slugs, question ids) that carry learners' progress to the new version.

Who may edit: the course's trainers and admins; a draft of a new course, its author (and
admins). Nobody else sees it: learners keep the published version until "Terbitkan".

Two people editing: every file has a revision. A save names the revision the editor started
from and is written by one compare-and-set UPDATE; when someone else saved first it is refused
(`StaleSave`) with both texts, so the editor shows the difference and keeps what she typed.
Publishing names the draft's stamp (its files and revisions) the trainer reviewed in the diff;
a draft changed since is not published."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.authoring import questions, repository
from app.authoring.archive import ZipCheck, check_zip, zip_bytes
from app.authoring.service import ZipImport, import_zip
from app.config import get_settings
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.courses import repository as courses_repository
from app.courses import service as courses
from app.courses import teaching
from app.courses.files import split_front_matter
from app.courses.parsed import Problem
from app.models import Course, CourseDraft, CourseDraftFile, User

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
NUMBERED = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
TEXT_SUFFIXES = (".yaml", ".md")


class StaleSave(Conflict):
    """Someone saved the file after this editor opened it."""

    def __init__(self, *, path: str, yours: str, current: str | None, revision: int | None):
        if current is None:
            message = f"Berkas {path} sudah dihapus oleh penyunting lain; teks Anda tidak disimpan."
        else:
            message = (
                f"Berkas {path} sudah diubah oleh penyunting lain sejak Anda membukanya. "
                "Teks Anda belum disimpan dan masih ada di bawah; periksa perbedaannya, lalu "
                "simpan lagi bila teks Anda yang benar."
            )
        super().__init__(message)
        self.path = path
        self.yours = yours
        self.current = current
        self.revision = revision

    def difference(self) -> list[str]:
        return text_diff(self.current or "", self.yours, "tersimpan", "teks Anda")


# -- Access ----------------------------------------------------------------------------------


def can_edit(session: Session, *, draft: CourseDraft, user: User) -> bool:
    if user.has_role("admin"):
        return True
    if draft.course_id is None:
        return user.has_role("trainer") and draft.created_by_id == user.id
    return teaching.teaches(session, user=user, course_id=draft.course_id)


def draft_for(
    session: Session, *, draft_id: int, user: User, for_update: bool = False
) -> CourseDraft:
    """The draft, if `user` may edit it: 404 when there is none, 403 when it is not hers."""
    draft = repository.draft_by_id(session, draft_id, for_update=for_update)
    if draft is None:
        raise NotFound("Draf tidak ditemukan; mungkin sudah diterbitkan atau dibuang.")
    if not can_edit(session, draft=draft, user=user):
        raise Forbidden("Hanya pengajar kursus ini atau admin yang dapat menyunting drafnya.")
    return draft


def drafts_of(session: Session, *, user: User) -> list[CourseDraft]:
    """The drafts `user` may edit: of the courses she teaches and the new courses she began."""
    taught = teaching.taught_course_ids(session, user=user)
    drafts = list(repository.drafts_by_ids(session, taught))
    if taught is not None:
        drafts += repository.new_course_drafts(session, created_by_id=user.id)
    return [d for d in drafts if d.course_id is not None or can_edit(session, draft=d, user=user)]


# -- Opening and starting --------------------------------------------------------------------


def open_draft(session: Session, *, course: Course, actor: User) -> tuple[CourseDraft, bool]:
    """The course's draft, made from its published version when there is none yet:
    (draft, created)."""
    if not teaching.teaches(session, user=actor, course_id=course.id):
        raise Forbidden("Hanya pengajar kursus ini atau admin yang dapat menyuntingnya.")
    existing = repository.draft_by_slug(session, course.slug)
    if existing is not None:
        return existing, False
    _number, course_files = courses.export_files(session, course=course)
    draft = CourseDraft(
        slug=course.slug,
        course_id=course.id,
        base_version_id=course.current_version_id,
        created_by_id=actor.id,
    )
    draft.files = [
        CourseDraftFile(path=path, content=content, updated_by_id=actor.id)
        for path, content in course_files.items()
    ]
    session.add(draft)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="course.draft_opened",
        object_type="course",
        object_id=course.slug,
        detail={"draft": draft.id, "from_version": _number},
    )
    return draft, True


def start_course(session: Session, *, slug: str, code: str, title: str, actor: User) -> CourseDraft:
    """A draft of a new course, with the smallest set of files that passes the checker once
    its summary, objectives and lesson are written."""
    slug, code, title = slug.strip().lower(), code.strip().upper(), " ".join(title.split())
    errors: dict[str, str] = {}
    if not SLUG.match(slug) or len(slug) > 80:
        errors["slug"] = "Slug hanya huruf kecil a–z, angka, dan tanda hubung (mis. etika-ai-asn)."
    elif courses_repository.course_by_slug(session, slug) or repository.draft_by_slug(
        session, slug
    ):
        errors["slug"] = f"Slug {slug} sudah dipakai kursus atau draf lain."
    if not CODE.match(code):
        errors["code"] = "Kode 2–20 huruf kapital, angka, atau tanda hubung (mis. ETIKA-AI)."
    elif courses_repository.course_by_code(session, code):
        errors["code"] = f"Kode {code} sudah dipakai kursus lain."
    if not 3 <= len(title) <= 200:
        errors["title"] = "Judul 3–200 karakter."
    if errors:
        raise DraftFormErrors(errors)
    draft = CourseDraft(slug=slug, course_id=None, created_by_id=actor.id)
    draft.files = [
        CourseDraftFile(path=path, content=content, updated_by_id=actor.id)
        for path, content in starter_files(code=code, title=title, author=actor.name).items()
    ]
    session.add(draft)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="course.draft_started",
        object_type="course",
        object_id=slug,
        detail={"draft": draft.id, "code": code},
    )
    return draft


class DraftFormErrors(Invalid):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Periksa kembali isian yang ditandai.")
        self.errors = errors


def _dump(data: dict[str, Any]) -> bytes:
    text = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )
    return text.encode("utf-8")


def starter_files(*, code: str, title: str, author: str) -> dict[str, bytes]:
    minutes = get_settings().minutes_per_jp
    return {
        "course.yaml": _dump(
            {
                "code": code,
                "title": title,
                "summary": "Tuliskan ringkasan kursus: untuk siapa, apa yang dipelajari.",
                "jp": 1,
                "competency_area": "literasi-digital",
                "level": "dasar",
                "language": "id",
                "authors": [{"name": author, "role": "Penyusun Materi"}],
                "passing_score": 70,
                "max_attempts": 3,
                "references": ["Tuliskan sumber rujukan (peraturan, buku, laman resmi)."],
            }
        ),
        "01-modul-1/module.yaml": _dump(
            {
                "title": "Modul 1",
                "summary": "",
                "objectives": [
                    {"id": "m1-o1", "text": "Tuliskan apa yang mampu dilakukan peserta."}
                ],
            }
        ),
        "01-modul-1/01-pelajaran-1.md": lesson_text(
            title="Pelajaran 1",
            minutes=minutes,
            video_url=None,
            transcript=None,
            body="Tulis isi pelajaran di sini dengan Markdown.\n",
        ).encode("utf-8"),
    }


# -- Files ------------------------------------------------------------------------------------


def file_map(files: list[CourseDraftFile] | Any) -> dict[str, bytes]:
    return {f.path: bytes(f.content) for f in files}


def stamp(files: list[CourseDraftFile] | Any) -> str:
    """The draft's state as a short hash of its files and their revisions."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        digest.update(f"{f.path}\0{f.revision}\n".encode())
    return digest.hexdigest()[:16]


def decode(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def valid_path(path: str) -> bool:
    """A path a draft may hold: course-level files, NN-module/ files, media/ files."""
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts) or "\\" in path or len(path) > 255:
        return False
    if len(parts) == 1:
        return path in ("course.yaml", "pretest.yaml", "posttest.yaml", "evaluation.yaml")
    if len(parts) == 2 and parts[0] == "media":
        return bool(re.match(r"^[a-z0-9][a-z0-9._-]*$", parts[1]))
    if len(parts) == 2 and NUMBERED.match(parts[0]):
        name = parts[1]
        if name in ("module.yaml", "quiz.yaml"):
            return True
        return name.endswith(".md") and bool(NUMBERED.match(name[:-3]))
    return False


def save(
    session: Session, *, draft: CourseDraft, path: str, text: str, revision: int, actor: User
) -> int:
    """Save a text file edited from `revision`: the new revision, or StaleSave."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    limit = get_settings().course_zip_max_bytes
    if len(data) > limit:
        raise Invalid(f"Berkas terlalu besar (batas {limit // (1024 * 1024)} MB).")
    if not repository.compare_and_save(
        session, draft_id=draft.id, path=path, content=data, revision=revision, user_id=actor.id
    ):
        current = repository.draft_file(session, draft.id, path)
        raise StaleSave(
            path=path,
            yours=text,
            current=decode(current.content) if current else None,
            revision=current.revision if current else None,
        )
    return revision + 1


def add_file(
    session: Session, *, draft: CourseDraft, path: str, content: bytes, actor: User
) -> CourseDraftFile:
    if not valid_path(path):
        raise Invalid(f"Nama berkas {path} tidak sah.")
    if repository.draft_file(session, draft.id, path) is not None:
        raise Conflict(f"Berkas {path} sudah ada di draf ini.")
    item = CourseDraftFile(draft_id=draft.id, path=path, content=content, updated_by_id=actor.id)
    session.add(item)
    session.flush()
    return item


def delete_file(
    session: Session, *, draft: CourseDraft, path: str, revision: int, actor: User
) -> None:
    if path == "course.yaml":
        raise Invalid("course.yaml tidak dapat dihapus.")
    if not repository.compare_and_delete(session, draft_id=draft.id, path=path, revision=revision):
        current = repository.draft_file(session, draft.id, path)
        if current is None:
            return  # already gone: what she wanted
        raise StaleSave(
            path=path, yours="", current=decode(current.content), revision=current.revision
        )
    if path.endswith("/module.yaml"):
        folder = path.rsplit("/", 1)[0] + "/"
        for f in repository.draft_files(session, draft.id):
            if f.path.startswith(folder):
                session.delete(f)
    audit.record(
        session,
        actor=actor,
        action="course.draft_file_deleted",
        object_type="course",
        object_id=draft.slug,
        detail={"draft": draft.id, "path": path},
    )


def add_module(session: Session, *, draft: CourseDraft, slug: str, title: str, actor: User) -> str:
    """A new module folder after the last one, with its module.yaml and a first lesson."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise DraftFormErrors({"slug": "Slug hanya huruf kecil a–z, angka, dan tanda hubung."})
    folders = _module_folders(session, draft)
    if any(f.split("-", 1)[1] == slug for f in folders):
        raise DraftFormErrors({"slug": f"Modul {slug} sudah ada."})
    position = max((int(f[:2]) for f in folders), default=0) + 1
    folder = f"{position:02d}-{slug}"
    add_file(
        session,
        draft=draft,
        path=f"{folder}/module.yaml",
        content=_dump(
            {
                "title": " ".join(title.split()) or f"Modul {position}",
                "summary": "",
                "objectives": [
                    {"id": f"{slug}-o1", "text": "Tuliskan apa yang mampu dilakukan peserta."}
                ],
            }
        ),
        actor=actor,
    )
    return folder


def add_lesson(
    session: Session, *, draft: CourseDraft, folder: str, slug: str, title: str, actor: User
) -> str:
    slug = slug.strip().lower()
    if folder not in _module_folders(session, draft):
        raise NotFound("Modul tidak ditemukan di draf ini.")
    if not SLUG.match(slug):
        raise DraftFormErrors({"slug": "Slug hanya huruf kecil a–z, angka, dan tanda hubung."})
    lessons = [
        f.path.split("/")[1][:-3]
        for f in repository.draft_files(session, draft.id)
        if f.path.startswith(folder + "/") and f.path.endswith(".md")
    ]
    if any(name.split("-", 1)[1] == slug for name in lessons):
        raise DraftFormErrors({"slug": f"Pelajaran {slug} sudah ada di modul ini."})
    position = max((int(n[:2]) for n in lessons), default=0) + 1
    path = f"{folder}/{position:02d}-{slug}.md"
    text = lesson_text(
        title=" ".join(title.split()) or f"Pelajaran {position}",
        minutes=get_settings().minutes_per_jp,
        video_url=None,
        transcript=None,
        body="Tulis isi pelajaran di sini dengan Markdown.\n",
    )
    add_file(session, draft=draft, path=path, content=text.encode("utf-8"), actor=actor)
    return path


def _module_folders(session: Session, draft: CourseDraft) -> list[str]:
    return sorted(
        {
            f.path.split("/")[0]
            for f in repository.draft_files(session, draft.id)
            if "/" in f.path and NUMBERED.match(f.path.split("/")[0])
        }
    )


def add_quiz(session: Session, *, draft: CourseDraft, path: str, actor: User) -> None:
    """An empty quiz file (pre-test, post-test or a module's quiz) to fill with the editor."""
    if not (path in ("pretest.yaml", "posttest.yaml") or path.endswith("/quiz.yaml")):
        raise Invalid("Kuis hanya pretest.yaml, posttest.yaml, atau quiz.yaml sebuah modul.")
    if path.endswith("/quiz.yaml") and path.split("/")[0] not in _module_folders(session, draft):
        raise NotFound("Modul tidak ditemukan di draf ini.")
    title = {"pretest.yaml": "Pre-test", "posttest.yaml": "Post-test"}.get(path, "Kuis modul")
    add_file(
        session,
        draft=draft,
        path=path,
        content=_dump({"title": title, "shuffle_choices": True, "questions": []}),
        actor=actor,
    )


def append_image(
    session: Session,
    *,
    draft: CourseDraft,
    path: str,
    revision: int,
    alt: str,
    image: str,
    actor: User,
) -> None:
    """Add `![alt](media/…)` at the end of a lesson (refused like any stale save)."""
    item = repository.draft_file(session, draft.id, path)
    if item is None or not path.endswith(".md"):
        raise NotFound("Pelajaran tidak ditemukan di draf ini.")
    text = decode(item.content).rstrip("\n")
    alt = alt.replace("[", "(").replace("]", ")")
    save(
        session,
        draft=draft,
        path=path,
        text=f"{text}\n\n![{alt}]({image})\n",
        revision=revision,
        actor=actor,
    )


def objectives_of(files: list[CourseDraftFile] | Any) -> list[str]:
    """The objective ids the draft's modules declare (for the question editor)."""
    ids: list[str] = []
    for f in files:
        if not f.path.endswith("/module.yaml"):
            continue
        try:
            data = yaml.safe_load(decode(f.content)) or {}
        except yaml.YAMLError:
            continue
        for item in (data.get("objectives") or []) if isinstance(data, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids.append(item["id"])
    return ids


def question_ids(
    session: Session, *, draft: CourseDraft, files: list[CourseDraftFile] | Any
) -> set[str]:
    """Every question id the course has ever used: in this draft and in any published version.
    A new question never takes one of them (PRODUCT.md §4)."""
    used: set[str] = set()
    for f in files:
        if f.path in ("pretest.yaml", "posttest.yaml") or f.path.endswith("/quiz.yaml"):
            used |= set(re.findall(r"^\s*-?\s*id:\s*['\"]?([a-z0-9_-]+)", decode(f.content), re.M))
    if draft.course_id is not None:
        used |= repository.question_keys_ever(session, draft.course_id)
    return used


def _question_id_prefix(slug: str, path: str) -> str:
    """For a quiz with no numbered ids yet: e.g. etika-ai-asn-post-01, etika-ai-asn-kuis2-01."""
    kind = {"pretest.yaml": "pre", "posttest.yaml": "post"}.get(path)
    if kind is None:
        kind = f"kuis{int(path[:2])}" if path[:2].isdigit() else "kuis"
    return f"{slug[:40].strip('-')}-{kind}-"


def save_question(
    session: Session,
    *,
    draft: CourseDraft,
    path: str,
    form: questions.QuestionForm,
    question_id: str,
    revision: int,
    delete: bool,
    actor: User,
) -> str:
    """Save (or delete) one question of a quiz file, edited from `revision`: the quiz file is
    rewritten and saved like any file, so a second editor's save in between is refused the
    same way (StaleSave; QuestionErrors for the form's mistakes). Returns the question's id."""
    item = repository.draft_file(session, draft.id, path)
    if item is None:
        raise NotFound("Kuis ini tidak ada di draf.")
    current = decode(item.content)
    if delete:
        updated, saved_id = questions.delete_question(current, question_id), question_id
    else:
        files = repository.draft_files(session, draft.id)
        updated, saved_id = questions.save_question(
            current,
            form,
            question_id=question_id or None,
            used_ids=question_ids(session, draft=draft, files=files),
            objectives=objectives_of(files),
            # The checker asks every pre- and post-test question for its objective.
            require_objective=path in ("pretest.yaml", "posttest.yaml"),
            prefix_hint=_question_id_prefix(draft.slug, path),
        )
    if item.revision != revision:
        raise StaleSave(path=path, yours="", current=current, revision=item.revision)
    save(session, draft=draft, path=path, text=updated, revision=revision, actor=actor)
    return saved_id


@dataclass
class OutlineModule:
    folder: str
    module_file: str | None
    lessons: list[tuple[str, str]]  # (path, title from its front matter, else the file name)
    quiz: str | None
    title: str = ""


@dataclass
class DraftOutline:
    course_files: list[str]
    modules: list[OutlineModule]
    media: list[str]
    other: list[str]


def outline_of(files: list[CourseDraftFile] | Any) -> DraftOutline:
    """The draft's files grouped as the editor lists them."""
    course_files: list[str] = []
    media: list[str] = []
    other: list[str] = []
    modules: dict[str, OutlineModule] = {}
    for f in sorted(files, key=lambda f: f.path):
        parts = f.path.split("/")
        if len(parts) == 1:
            course_files.append(f.path)
        elif parts[0] == "media":
            media.append(f.path)
        elif NUMBERED.match(parts[0]) and len(parts) == 2:
            module = modules.setdefault(parts[0], OutlineModule(parts[0], None, [], None))
            if parts[1] == "module.yaml":
                module.module_file = f.path
                module.title = _yaml_title(f.content)
            elif parts[1] == "quiz.yaml":
                module.quiz = f.path
            else:
                title = lesson_fields(decode(f.content)).title
                module.lessons.append((f.path, title or parts[1]))
        else:
            other.append(f.path)
    return DraftOutline(course_files, list(modules.values()), media, other)


def _yaml_title(content: bytes) -> str:
    try:
        data = yaml.safe_load(decode(content))
    except yaml.YAMLError:
        return ""
    return str(data.get("title") or "") if isinstance(data, dict) else ""


def discard(session: Session, *, draft: CourseDraft, actor: User) -> None:
    audit.record(
        session,
        actor=actor,
        action="course.draft_discarded",
        object_type="course",
        object_id=draft.slug,
        detail={"draft": draft.id},
    )
    session.delete(draft)


# -- Lessons ----------------------------------------------------------------------------------


@dataclass
class LessonFields:
    title: str = ""
    minutes: str = ""
    video_url: str = ""
    transcript: str = ""
    body: str = ""


def lesson_fields(text: str) -> LessonFields:
    """A lesson file split into what the editor shows; a file whose front matter does not read
    keeps everything in the body, so nothing is lost."""
    split = split_front_matter(text)
    if split is None:
        return LessonFields(body=text)
    front_text, body, _line = split
    try:
        front = yaml.safe_load(front_text) or {}
    except yaml.YAMLError:
        return LessonFields(body=text)
    if not isinstance(front, dict):
        return LessonFields(body=text)

    def text_of(key: str) -> str:
        value = front.get(key)
        return "" if value is None else str(value)

    return LessonFields(
        title=text_of("title"),
        minutes=text_of("minutes"),
        video_url=text_of("video_url"),
        transcript=text_of("transcript"),
        body=body,
    )


def lesson_text(
    *, title: str, minutes: int | str, video_url: str | None, transcript: str | None, body: str
) -> str:
    front: dict[str, Any] = {"title": title.strip()}
    try:
        front["minutes"] = int(str(minutes).strip())
    except ValueError:
        front["minutes"] = str(minutes).strip()  # the checker names it on the minutes field
    if video_url and video_url.strip():
        front["video_url"] = video_url.strip()
    if transcript and transcript.strip():
        front["transcript"] = transcript.strip()
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=100)
    body = body.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    return f"---\n{head}---\n{body}"


# -- Checking ---------------------------------------------------------------------------------


@dataclass
class DraftCheck:
    stamp: str
    zip_check: ZipCheck
    problems: list[Problem] = field(default_factory=list)  # paths inside the course folder
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def of(self, path: str) -> list[Problem]:
        return [p for p in self.problems if p.path == path]

    def by_path(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for p in self.problems:
            counts[p.path] = counts.get(p.path, 0) + 1
        return counts


def check(draft: CourseDraft, files: list[CourseDraftFile] | Any) -> DraftCheck:
    """The draft read by the same checker a zip import uses (no database: run it before the
    write transaction)."""
    result = check_zip(zip_bytes(draft.slug, file_map(files)))
    prefix = f"{draft.slug}/"

    def inside(p: Problem) -> Problem:
        return Problem(p.path.removeprefix(prefix), p.line, p.message)

    return DraftCheck(
        stamp(files),
        result,
        [inside(p) for p in result.problems],
        [inside(p) for p in result.warnings],
    )


# -- Differences ------------------------------------------------------------------------------


@dataclass
class FileChange:
    path: str
    status: str  # added | removed | changed
    lines: list[str]  # unified diff of a text file; empty for media

    @property
    def label(self) -> str:
        return {"added": "baru", "removed": "dihapus", "changed": "diubah"}[self.status]


def text_diff(before: str, after: str, before_name: str, after_name: str) -> list[str]:
    return list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=before_name,
            tofile=after_name,
            lineterm="",
            n=2,
        )
    )


def changes(published: dict[str, bytes], draft: dict[str, bytes]) -> list[FileChange]:
    out: list[FileChange] = []
    for path in sorted(set(published) | set(draft)):
        old, new = published.get(path), draft.get(path)
        if old == new:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        lines: list[str] = []
        if path.endswith(TEXT_SUFFIXES):
            lines = text_diff(
                decode(old or b""), decode(new or b""), f"terbit/{path}", f"draf/{path}"
            )
        out.append(FileChange(path, status, lines))
    return out


def published_files(session: Session, *, draft: CourseDraft) -> dict[str, bytes]:
    """The course's published version as files (empty for a new course)."""
    if draft.course_id is None:
        return {}
    course = courses_repository.course_by_slug(session, draft.slug)
    if course is None or course.current_version_id is None:
        return {}
    return courses.export_files(session, course=course)[1]


# -- Publishing -------------------------------------------------------------------------------


def publish(
    session: Session,
    *,
    draft: CourseDraft,
    checked: DraftCheck,
    reviewed_stamp: str,
    change_note: str,
    actor: User,
) -> ZipImport:
    """Publish the draft as the course's next version, in this one transaction: the draft row
    is locked, its files must still be what was checked and what the trainer reviewed, and the
    import is the same as a zip's. The draft is gone afterwards."""
    note = change_note.strip()
    if not 5 <= len(note) <= 2000:
        raise DraftFormErrors(
            {"change_note": "Tuliskan catatan perubahan (5–2000 karakter): apa yang berubah."}
        )
    locked = repository.draft_by_id(session, draft.id, for_update=True)
    if locked is None:
        raise NotFound("Draf tidak ditemukan; mungkin sudah diterbitkan.")
    now = stamp(repository.draft_files(session, draft.id))
    if now != checked.stamp or now != reviewed_stamp:
        raise Conflict(
            "Draf berubah sejak Anda memeriksa perbedaannya (ada yang menyimpan perubahan). "
            "Periksa perbedaan yang terbaru, lalu terbitkan lagi."
        )
    if not checked.ok:
        raise Invalid("Draf masih memiliki masalah; perbaiki dulu sebelum menerbitkan.")
    result = import_zip(session, check=checked.zip_check, actor=actor, dry_run=False)
    if not result.ok:
        return result
    course = courses_repository.course_by_slug(session, draft.slug)
    if course is not None and course.current_version is not None and result.action != "unchanged":
        course.current_version.change_note = note
        course.current_version.published_by_id = actor.id
    audit.record(
        session,
        actor=actor,
        action="course.published",
        object_type="course",
        object_id=draft.slug,
        detail={
            "draft": draft.id,
            "version": result.version,
            "action": result.action,
            "change_note": note[:500],
        },
    )
    session.delete(locked)
    return result
