from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class AssignmentIn(BaseModel):
    course: str = Field(max_length=80)
    units: list[str] = Field(default_factory=list, max_length=500)
    people: list[str] = Field(default_factory=list, max_length=500)
    due_on: date
    start_on: date | None = None
    jenis_asn: str | None = Field(default=None, max_length=8)
    jenis_jabatan: str | None = Field(default=None, max_length=20)
    golongan: str | None = Field(default=None, max_length=8)
    instansi: str | None = Field(default=None, max_length=20)  # admins: whose instansi


class AssignmentCreatedOut(BaseModel):
    id: int
    course: str
    due_on: date
    people: int  # everyone targeted, those who already completed included


class AssignmentOut(BaseModel):
    id: int
    course: str
    title: str
    instansi: str
    start_on: date
    due_on: date
    status: Literal["active", "withdrawn"]
    people: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int


class MyAssignmentOut(BaseModel):
    id: int
    course: str
    due_on: date
    status: Literal["not_started", "in_progress", "completed", "overdue"]
