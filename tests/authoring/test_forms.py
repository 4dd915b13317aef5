"""Course settings and module forms: they change what they show, keep every other key, give
new objectives fresh ids, and place the checker's problems next to their field."""

from __future__ import annotations

import re

import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.authoring import forms
from app.models import Course
from tests.authoring.test_drafts import _draft_text, _open
from tests.conftest import csrf_from
from tests.factories import World

COURSE = """code: UJI
title: Kursus Uji
summary: Ringkasan kursus uji yang cukup panjang.
jp: 2
jp_rounding: nearest
competency_area: data
level: dasar
authors:
- name: Ade Setiadi
  role: Penyusun
passing_score: 70
max_attempts: 3
certificate_design: default
completion:
  lessons: all
trainers:
- '197605212001121002'
references:
- Buku acuan.
"""


def test_course_settings_change_what_the_form_shows_and_keep_the_rest() -> None:
    form = forms.course_settings(COURSE)
    assert form.authors == "Ade Setiadi; Penyusun" and form.jp == "2"
    form.title = "Kursus Uji, Edisi Kedua"
    form.jp = "3"
    form.authors = "Ade Setiadi; Penyusun\nRina Marlina"
    form.references = "Buku acuan.\n\nPerpres 95/2018."
    data = yaml.safe_load(forms.course_yaml(COURSE, form))
    assert data["title"] == "Kursus Uji, Edisi Kedua" and data["jp"] == 3
    assert data["authors"] == [
        {"name": "Ade Setiadi", "role": "Penyusun"},
        {"name": "Rina Marlina"},
    ]
    assert data["references"] == ["Buku acuan.", "Perpres 95/2018."]
    for kept in ("code", "jp_rounding", "certificate_design", "completion", "trainers"):
        assert data[kept] == yaml.safe_load(COURSE)[kept]
    form.jp = "tiga"
    assert yaml.safe_load(forms.course_yaml(COURSE, form))["jp"] == "tiga"  # the checker names it


def test_module_objectives_keep_their_ids_new_ones_get_fresh_ids_blank_removes() -> None:
    text = (
        "title: Modul 1\nobjectives:\n- id: sg-m1-o1\n  text: Satu.\n- id: sg-m1-o2\n  text: Dua.\n"
    )
    form = forms.module_form(text)
    form.objective_texts = ["Satu, diperbaiki.", "", "Tiga baru."]
    form.objective_ids = ["sg-m1-o1", "sg-m1-o2", ""]
    data = yaml.safe_load(
        forms.module_yaml(text, form, folder="01-modul-1", used_ids={"sg-m1-o1", "sg-m1-o2"})
    )
    # o2 was removed but is still taken (a question or an old version may name it).
    assert data["objectives"] == [
        {"id": "sg-m1-o1", "text": "Satu, diperbaiki."},
        {"id": "sg-m1-o3", "text": "Tiga baru."},
    ]


def test_field_of_reads_the_key_of_a_checker_message() -> None:
    course, module = forms.COURSE_KEYS, forms.MODULE_KEYS
    assert forms.field_of("jp is 5 but the lessons take 90 minutes", course) == "jp"
    message = "objectives[1].text: String should have at least 3 characters"
    assert forms.field_of(message, module) == "objectives"
    assert forms.field_of("title: Field required", course) == "title"
    assert forms.field_of("file is not UTF-8", course) is None
    assert forms.field_of("code: String should match pattern", course) is None  # not on the form


def test_the_settings_form_saves_and_shows_a_jp_problem_next_to_the_jp_field(
    client: TestClient, session: Session, world: World, course: Course
) -> None:
    draft_url = _open(client, world)
    page = client.get(f"{draft_url}/file", params={"path": "course.yaml"})
    assert page.status_code == 200 and 'name="form_kind" value="course"' in page.text
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert revision
    form = forms.course_settings(_draft_text(session, "course.yaml"))
    saved = client.post(
        f"{draft_url}/file",
        data={
            "csrf_token": csrf_from(page.text),
            "path": "course.yaml",
            "revision": revision.group(1),
            "form_kind": "course",
            "title": "Kursus Uji Tujuan, Edisi 2",
            "summary": form.summary,
            "jp": "5",
            "competency_area": form.competency_area,
            "level": form.level,
            "passing_score": "75",
            "max_attempts": "2",
            "review": "after_pass",
            "authors": form.authors,
            "references": form.references,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    data = yaml.safe_load(_draft_text(session, "course.yaml"))
    assert (data["title"], data["passing_score"], data["review"]) == (
        "Kursus Uji Tujuan, Edisi 2",
        75,
        "after_pass",
    )
    assert data["code"] == "UJI-TUJUAN"
    again = client.get(f"{draft_url}/file", params={"path": "course.yaml"})
    jp_field = again.text.split('id="jp"', 1)[1].split("</div>", 1)[0]
    assert 'class="field-error"' in jp_field and "jp bernilai 5" in jp_field
    jp_input = again.text.split('id="jp"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in jp_input and jp_input.count("aria-describedby") == 1
    raw = client.get(f"{draft_url}/file", params={"path": "course.yaml", "raw": "1"})
    assert 'name="text"' in raw.text and "Edisi 2" in raw.text
