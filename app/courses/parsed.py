"""What reading a course folder yields: the parsed files, where they came from, and problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.courses.schemas import CourseFile, EvaluationFile, LessonFront, ModuleFile, QuizFile


def display_path(path: Path) -> str:
    """The path as a problem report shows it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The line (1-based) of the deepest YAML node on `loc` that exists."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    node = value
                    line = key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Source:
    """The file a parsed model came from and its YAML tree, to point a problem at a line."""

    path: Path
    node: yaml.Node | None = None
    line_offset: int = 0

    def problem(self, loc: tuple[Any, ...], message: str) -> Problem:
        line = line_of(self.node, loc) + self.line_offset
        return Problem(display_path(self.path), line, message)


@dataclass
class ParsedLesson:
    slug: str
    position: int
    front: LessonFront
    body: str


@dataclass
class ParsedQuiz:
    kind: str  # pretest | module | posttest
    data: QuizFile
    source: Source


@dataclass
class ParsedModule:
    slug: str
    position: int
    data: ModuleFile
    source: Source
    lessons: list[ParsedLesson] = field(default_factory=list)
    quiz: ParsedQuiz | None = None


@dataclass
class ParsedMedia:
    path: str
    content_type: str
    data: bytes


@dataclass
class ParsedCourse:
    slug: str
    folder: Path
    data: CourseFile
    modules: list[ParsedModule]
    pretest: ParsedQuiz | None
    posttest: ParsedQuiz | None
    evaluation: EvaluationFile | None
    media: list[ParsedMedia]
    content_hash: str
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class CheckReport:
    """Errors refuse the import; warnings (e.g. an objective no test measures) do not."""

    courses: list[ParsedCourse] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
