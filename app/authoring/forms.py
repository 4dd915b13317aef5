"""Course settings (course.yaml) and a module (module.yaml) as forms (issue 14, item 1).

The form edits the keys a widyaiswara works with and keeps every other key of the file as it
was (code, language, completion rules, certificate design, trainers…), so the YAML editor stays
the way to the rest. The checker still judges the result; its problems are placed next to the
field whose key they name (`field_of`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.core.errors import Invalid

_LOC = re.compile(r"^([a-z_]+)(?:[\[.:]| is )")


def _load(text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(
            "Berkas ini tidak dapat dibaca sebagai YAML; perbaiki lewat penyunting YAML."
        ) from exc
    if not isinstance(data, dict):
        raise Invalid("Berkas ini bukan pemetaan YAML; perbaiki lewat penyunting YAML.")
    return data


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )


def _number(value: str) -> int | str:
    """A whole number as a number; anything else as written, for the checker to name."""
    value = value.strip()
    return int(value) if re.fullmatch(r"\d{1,6}", value) else value


COURSE_KEYS = frozenset(
    {"title", "summary", "jp", "competency_area", "level", "passing_score", "max_attempts"}
    | {"review", "authors", "references"}
)
MODULE_KEYS = frozenset({"title", "summary", "objectives"})


def field_of(message: str, keys: frozenset[str]) -> str | None:
    """The form field a checker message is about (`jp: …`, `objectives[1].text: …`), when the
    form has one."""
    match = _LOC.match(message)
    return match.group(1) if match and match.group(1) in keys else None


# -- course.yaml --------------------------------------------------------------------------------


@dataclass
class CourseSettings:
    code: str = ""
    title: str = ""
    summary: str = ""
    jp: str = ""
    competency_area: str = ""
    level: str = ""
    passing_score: str = ""
    max_attempts: str = ""
    review: str = "after_last_attempt"
    authors: str = ""  # one per line: "Nama; Peran"
    references: str = ""  # one per line


def course_settings(text: str) -> CourseSettings:
    data = _load(text)
    authors = []
    for author in data.get("authors") or []:
        if isinstance(author, dict):
            name, role = str(author.get("name") or ""), author.get("role")
            authors.append(f"{name}; {role}" if role else name)
    return CourseSettings(
        code=str(data.get("code") or ""),
        title=str(data.get("title") or ""),
        summary=str(data.get("summary") or ""),
        jp=str(data.get("jp") or ""),
        competency_area=str(data.get("competency_area") or ""),
        level=str(data.get("level") or ""),
        passing_score=str(data.get("passing_score", 70)),
        max_attempts=str(data.get("max_attempts", 3)),
        review=str(data.get("review") or "after_last_attempt"),
        authors="\n".join(authors),
        references="\n".join(str(r) for r in data.get("references") or []),
    )


def course_yaml(text: str, form: CourseSettings) -> str:
    """The file with the form's values; keys the form does not show are kept."""
    data = _load(text)
    authors: list[dict[str, str]] = []
    for line in form.authors.splitlines():
        name, _, role = line.partition(";")
        if name.strip():
            author = {"name": " ".join(name.split())}
            if role.strip():
                author["role"] = " ".join(role.split())
            authors.append(author)
    values: dict[str, Any] = {
        "title": " ".join(form.title.split()),
        "summary": form.summary.strip(),
        "jp": _number(form.jp),
        "competency_area": form.competency_area.strip(),
        "level": form.level.strip(),
        "passing_score": _number(form.passing_score),
        "max_attempts": _number(form.max_attempts),
        "review": form.review.strip(),
        "authors": authors,
        "references": [r.strip() for r in form.references.splitlines() if r.strip()],
    }
    ordered: dict[str, Any] = {}
    for key in ("code", *values):
        if key in values:
            ordered[key] = values[key]
        elif key in data:
            ordered[key] = data[key]
    for key, value in data.items():
        ordered.setdefault(key, value)
    return _dump(ordered)


# -- module.yaml --------------------------------------------------------------------------------


@dataclass
class ModuleForm:
    title: str = ""
    summary: str = ""
    objective_ids: list[str] = field(default_factory=list)
    objective_texts: list[str] = field(default_factory=list)


def module_form(text: str) -> ModuleForm:
    data = _load(text)
    ids: list[str] = []
    texts: list[str] = []
    for item in data.get("objectives") or []:
        if isinstance(item, dict):
            ids.append(str(item.get("id") or ""))
            texts.append(str(item.get("text") or ""))
    return ModuleForm(str(data.get("title") or ""), str(data.get("summary") or ""), ids, texts)


def module_yaml(text: str, form: ModuleForm, *, folder: str, used_ids: set[str]) -> str:
    """The module file with the form's title, summary and objectives. An objective keeps its
    id (questions name it); a blank text removes it; a new row gets the next id of the module's
    pattern (e.g. sg-m1-o3), never one used elsewhere in the course."""
    data = _load(text)
    objectives: list[dict[str, str]] = []
    taken = set(used_ids)
    existing = [i for i in form.objective_ids if i]
    for index, raw_text in enumerate(form.objective_texts):
        words = " ".join(raw_text.split())
        if not words:
            continue
        oid = form.objective_ids[index] if index < len(form.objective_ids) else ""
        if not oid:
            oid = _next_objective_id(existing, taken, folder=folder)
            existing.append(oid)
        taken.add(oid)
        objectives.append({"id": oid, "text": words})
    data["title"] = " ".join(form.title.split())
    data["summary"] = form.summary.strip()
    data["objectives"] = objectives
    ordered = {k: data[k] for k in ("title", "summary", "objectives")}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return _dump(ordered)


def _next_objective_id(existing: list[str], taken: set[str], *, folder: str) -> str:
    prefix = None
    for oid in existing:
        match = re.match(r"^(.*?)(\d+)$", oid)
        if match:
            prefix = match.group(1)
    if prefix is None:
        slug = folder.split("-", 1)[1] if "-" in folder else folder
        prefix = f"{slug[:40]}-o"
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"
