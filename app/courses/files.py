"""Read a course folder (docs/course-format.md) and report every problem as path:line: message."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.config import get_settings
from app.courses import rules
from app.courses.markdown import media_references
from app.courses.parsed import (
    CheckReport,
    ParsedCourse,
    ParsedLesson,
    ParsedMedia,
    ParsedModule,
    ParsedQuiz,
    Problem,
    Source,
    display_path,
)
from app.courses.schemas import (
    SLUG,
    CourseFile,
    EvaluationFile,
    LessonFront,
    ModuleFile,
    QuizFile,
)

M = TypeVar("M", bound=BaseModel)
NUMBERED = re.compile(r"^(\d{2})-(.+)$")
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
}


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        # Set when a file could not be read: the rules spanning files then wait, so that one
        # broken file does not cascade into errors about its neighbours.
        self.incomplete = False

    def problem(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(display_path(path), line, message))

    def yaml_model(
        self, path: Path, model: type[M], *, text: str | None = None, line_offset: int = 0
    ) -> M | None:
        read = self.yaml_document(path, model, text=text, line_offset=line_offset)
        return read[0] if read else None

    def yaml_document(
        self, path: Path, model: type[M], *, text: str | None = None, line_offset: int = 0
    ) -> tuple[M, Source] | None:
        """The file as `model`, with its source for later problems; None after reporting."""
        found = self._compose(path, text=text, line_offset=line_offset)
        if found is None:
            self.incomplete = True
            return None
        node, data = found
        source = Source(path, node, line_offset)
        try:
            return model.model_validate(data), source
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                where = _format_loc(loc)
                message = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    message = "unknown field"
                self.problems.append(
                    source.problem(loc, f"{where}: {message}" if where else message)
                )
            self.incomplete = True
            return None

    def _compose(
        self, path: Path, *, text: str | None, line_offset: int
    ) -> tuple[yaml.Node | None, dict[str, Any]] | None:
        if text is None:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                self.problem(path, 1, "file is not UTF-8")
                return None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line + 1 if mark else 1) + line_offset
            message = f"YAML syntax error: {exc.problem or exc}"
            if exc.context and exc.context_mark:
                message += (
                    f" ({exc.context} started on line {exc.context_mark.line + 1 + line_offset})"
                )
            self.problem(path, line, message)
            return None
        except yaml.YAMLError as exc:  # e.g. a control character (ReaderError): no mark
            self.problem(path, 1 + line_offset, f"YAML syntax error: {exc}")
            return None
        except (ValueError, TypeError, OverflowError) as exc:
            # A value YAML cannot build, e.g. the date 2020-13-45 or a timestamp out of range.
            self.problem(path, 1 + line_offset, f"YAML syntax error: invalid value ({exc})")
            return None
        if not isinstance(data, dict):
            self.problem(path, 1 + line_offset, "expected a mapping of fields")
            return None
        return node, data


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts) or None when there is none."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return None


def course_folders(path: Path) -> list[Path]:
    """A course folder itself, or every course folder under a collection folder."""
    if (path / "course.yaml").is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_dir() and (p / "course.yaml").is_file())


def check_course(
    folder: Path, *, minutes_per_jp: int | None = None
) -> tuple[ParsedCourse | None, list[Problem], list[Problem]]:
    """(parsed course or None, errors, warnings). Any error: no parsed course."""
    reader = _Reader(folder)
    slug = folder.name
    if not re.match(SLUG, slug):
        reader.problem(folder, 1, f"course folder name {slug!r} is not a valid slug (a-z, 0-9, -)")
    course = reader.yaml_document(folder / "course.yaml", CourseFile)
    modules = _read_modules(reader, folder)
    pretest = _read_quiz(reader, folder / "pretest.yaml", "pretest")
    posttest = _read_quiz(reader, folder / "posttest.yaml", "posttest")
    evaluation = None
    if (folder / "evaluation.yaml").is_file():
        evaluation = reader.yaml_model(folder / "evaluation.yaml", EvaluationFile)
    media = _read_media(reader, folder / "media")
    _check_media_references(reader, folder, modules, media)
    quizzes = [q for q in (pretest, posttest) if q] + [m.quiz for m in modules if m.quiz]
    _check_question_ids(reader, folder, quizzes)

    findings = rules.Findings()
    if not reader.incomplete and course is not None:
        rules.check_objectives(modules, quizzes, findings)
        rules.check_draws(pretest, posttest, [m.quiz for m in modules if m.quiz], findings)
        rules.check_jp(
            course[0],
            course[1],
            modules,
            minutes_per_jp=minutes_per_jp or get_settings().minutes_per_jp,
            findings=findings,
        )
    errors = reader.problems + findings.errors
    if errors or course is None:
        return None, errors, findings.warnings
    parsed = ParsedCourse(
        slug=slug,
        folder=folder,
        data=course[0],
        modules=modules,
        pretest=pretest,
        posttest=posttest,
        evaluation=evaluation,
        media=media,
        content_hash=_hash_folder(folder),
        warnings=findings.warnings,
    )
    return parsed, [], findings.warnings


def _read_modules(reader: _Reader, folder: Path) -> list[ParsedModule]:
    modules: list[ParsedModule] = []
    seen_positions: dict[int, str] = {}
    for entry in sorted(folder.iterdir()):
        if not entry.is_dir() or entry.name == "media":
            continue
        match = NUMBERED.match(entry.name)
        if not match or not re.match(SLUG, match.group(2)):
            reader.problem(entry, 1, "module folders are named NN-<slug> (e.g. 01-konsep-dasar)")
            reader.incomplete = True
            continue
        position = int(match.group(1))
        if position in seen_positions:
            reader.problem(
                entry, 1, f"position {position:02d} is also used by {seen_positions[position]}"
            )
        seen_positions[position] = entry.name
        module = _read_module(reader, entry, match.group(2), position)
        if module:
            modules.append(module)
    if not modules and not reader.problems:
        reader.problem(folder, 1, "a course needs at least one module folder NN-<slug>/")
    return modules


def _check_media_references(
    reader: _Reader, folder: Path, modules: list[ParsedModule], media: list[ParsedMedia]
) -> None:
    media_paths = {m.path for m in media}
    for module in modules:
        for lesson in module.lessons:
            for ref in media_references(lesson.body):
                if ref.removeprefix("media/") not in media_paths:
                    path = (
                        folder
                        / f"{module.position:02d}-{module.slug}"
                        / f"{lesson.position:02d}-{lesson.slug}.md"
                    )
                    reader.problem(path, 1, f"image {ref} not found in the course's media/ folder")


def _read_module(reader: _Reader, folder: Path, slug: str, position: int) -> ParsedModule | None:
    meta_path = folder / "module.yaml"
    if not meta_path.is_file():
        reader.problem(meta_path, 1, "module.yaml is missing")
        reader.incomplete = True
        return None
    meta = reader.yaml_document(meta_path, ModuleFile)
    lessons: list[ParsedLesson] = []
    positions: dict[int, str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name in ("module.yaml", "quiz.yaml"):
            continue
        if entry.suffix != ".md":
            reader.problem(entry, 1, "unexpected file in a module folder (expected NN-<slug>.md)")
            continue
        match = NUMBERED.match(entry.stem)
        if not match or not re.match(SLUG, match.group(2)):
            reader.problem(entry, 1, "lesson files are named NN-<slug>.md (e.g. 01-pengantar.md)")
            reader.incomplete = True
            continue
        lesson_position = int(match.group(1))
        if lesson_position in positions:
            reader.problem(
                entry,
                1,
                f"position {lesson_position:02d} is also used by {positions[lesson_position]}",
            )
        positions[lesson_position] = entry.name
        lesson = _read_lesson(reader, entry, match.group(2), lesson_position)
        if lesson:
            lessons.append(lesson)
    if not lessons and not positions:
        reader.problem(folder, 1, "a module needs at least one lesson NN-<slug>.md")
    quiz = _read_quiz(reader, folder / "quiz.yaml", "module")
    if meta is None:
        return None
    data, source = meta
    return ParsedModule(
        slug=slug, position=position, data=data, source=source, lessons=lessons, quiz=quiz
    )


def _read_lesson(reader: _Reader, path: Path, slug: str, position: int) -> ParsedLesson | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        reader.problem(path, 1, "file is not UTF-8")
        reader.incomplete = True
        return None
    split = split_front_matter(text)
    if split is None:
        reader.problem(path, 1, "a lesson starts with YAML front matter between --- lines")
        reader.incomplete = True
        return None
    front_text, body, _body_line = split
    front = reader.yaml_model(path, LessonFront, text=front_text, line_offset=1)
    if not body.strip():
        reader.problem(path, _body_line, "the lesson has no content")
        reader.incomplete = True
        return None
    if front is None:
        return None
    return ParsedLesson(slug=slug, position=position, front=front, body=body)


def _read_quiz(reader: _Reader, path: Path, kind: str) -> ParsedQuiz | None:
    if not path.is_file():
        return None
    read = reader.yaml_document(path, QuizFile)
    return ParsedQuiz(kind=kind, data=read[0], source=read[1]) if read else None


def _check_question_ids(reader: _Reader, folder: Path, quizzes: list[ParsedQuiz]) -> None:
    seen: set[str] = set()
    for quiz in quizzes:
        for question in quiz.data.questions:
            if question.id in seen:
                reader.problem(
                    folder, 1, f"question id {question.id!r} is used more than once in the course"
                )
            seen.add(question.id)


def _read_media(reader: _Reader, folder: Path) -> list[ParsedMedia]:
    if not folder.is_dir():
        return []
    media: list[ParsedMedia] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        content_type = MEDIA_TYPES.get(path.suffix.lower())
        if content_type is None:
            reader.problem(
                path,
                1,
                f"media type {path.suffix or '(none)'} is not allowed "
                f"({', '.join(sorted(MEDIA_TYPES))})",
            )
            continue
        if path.stat().st_size > MAX_MEDIA_BYTES:
            reader.problem(path, 1, "media files are limited to 5 MB")
            continue
        media.append(ParsedMedia(relative, content_type, path.read_bytes()))
    return media


def _hash_folder(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_all(path: Path) -> tuple[list[ParsedCourse], list[Problem]]:
    """The courses under `path` and the errors that refuse them (warnings left out)."""
    report = check_all(path)
    return report.courses, report.errors


def check_all(path: Path, *, minutes_per_jp: int | None = None) -> CheckReport:
    """Every course under `path`, with errors and warnings reported apart."""
    if not path.is_dir():
        return CheckReport(errors=[Problem(str(path), 1, "not a folder")])
    folders = course_folders(path)
    if not folders:
        return CheckReport(
            errors=[Problem(str(path), 1, "no course.yaml found in this folder or its subfolders")]
        )
    report = CheckReport()
    codes: dict[str, str] = {}
    for folder in folders:
        parsed, errors, warnings = check_course(folder, minutes_per_jp=minutes_per_jp)
        report.errors.extend(errors)
        report.warnings.extend(warnings)
        if parsed:
            if parsed.data.code in codes:
                report.errors.append(
                    Problem(
                        str(folder / "course.yaml"),
                        1,
                        f"code {parsed.data.code} is also used by {codes[parsed.data.code]}",
                    )
                )
            codes[parsed.data.code] = parsed.slug
            report.courses.append(parsed)
    return report
