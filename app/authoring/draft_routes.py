"""The browser editor's pages (issue 14): a course's draft, its files, lessons with a preview,
questions, the check, the diff and "Terbitkan". Every page works without JavaScript; a small
script adds the live preview beside the lesson textarea."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import verify_csrf
from app.authoring import drafts, forms, images, questions
from app.authoring import repository as drafts_repository
from app.authoring.deps import PageAuthor
from app.authoring.drafts import DraftFormErrors, StaleSave
from app.authoring.service import course_for_trainer
from app.catalog.service import AREAS, LEVELS
from app.config import get_settings
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import Conflict, Invalid, NotFound
from app.core.params import MAX_ROW_ID, RowId
from app.core.templating import redirect, render
from app.courses import markdown
from app.courses.messages import in_indonesian
from app.models import CourseDraft, CourseDraftFile, User

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)

PathQuery = Annotated[str, Query(max_length=255)]
PathForm = Annotated[str, Form(max_length=255)]
Text = Annotated[str, Form(max_length=2_000_000)]
Short = Annotated[str, Form(max_length=2000)]
OptionalList = Annotated[list[str] | None, Form()]
# The file revision an editor started from (bounded, like every integer a request carries).
Revision = Annotated[int, Form(ge=0, le=MAX_ROW_ID)]


def _url(draft: CourseDraft, page: str = "", **query: str) -> str:
    from urllib.parse import urlencode

    base = f"/trainer/drafts/{draft.id}{page}"
    return f"{base}?{urlencode(query)}" if query else base


def _draft_file(db: Session, draft: CourseDraft, path: str) -> CourseDraftFile:
    item = drafts_repository.draft_file(db, draft.id, path)
    if item is None:
        raise NotFound("Berkas ini tidak ada di draf.")
    return item


# -- List, new course, open ------------------------------------------------------------------


@router.get("/trainer/drafts", response_class=HTMLResponse)
def draft_list(request: Request, db: ReadSession, user: PageAuthor) -> Response:
    return _list_page(request, db, user)


def _list_page(
    request: Request,
    db: Session,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    from app.trainer import service as trainer

    return render(
        request,
        "authoring/drafts.html",
        {
            "drafts": drafts.drafts_of(db, user=user),
            "courses": trainer.taught_courses(db, user=user),
            "errors": errors or {},
            "form": form or {},
        },
        status_code=422 if errors else 200,
    )


@router.post("/trainer/drafts/new", response_class=HTMLResponse)
def draft_new(
    request: Request,
    db: WriteSession,
    user: PageAuthor,
    slug: Short = "",
    code: Short = "",
    title: Short = "",
) -> Response:
    try:
        draft = drafts.start_course(db, slug=slug, code=code, title=title, actor=user)
    except DraftFormErrors as exc:
        form = {"slug": slug, "code": code, "title": title}
        return _list_page(request, db, user, errors=exc.errors, form=form)
    return redirect(
        _url(draft), flash="Draf kursus baru dibuat. Lengkapi berkasnya, lalu terbitkan."
    )


@router.post("/trainer/courses/{slug}/draft")
def draft_open(slug: str, db: WriteSession, user: PageAuthor) -> Response:
    course = course_for_trainer(db, slug=slug, user=user)
    draft, created = drafts.open_draft(db, course=course, actor=user)
    flash = "Draf dibuat dari versi terbit." if created else "Melanjutkan draf yang sudah ada."
    return redirect(_url(draft), flash=flash)


# -- The draft -------------------------------------------------------------------------------


def page_draft(draft_id: RowId, db: ReadSession, user: PageAuthor) -> CourseDraft:
    return drafts.draft_for(db, draft_id=draft_id, user=user)


ReadDraft = Annotated[CourseDraft, Depends(page_draft)]


@router.get("/trainer/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, db: ReadSession, user: PageAuthor, draft: ReadDraft) -> Response:
    files = drafts_repository.draft_files(db, draft.id)
    checked = drafts.check(draft, files)
    return render(
        request,
        "authoring/draft.html",
        {
            "draft": draft,
            "outline": drafts.outline_of(files),
            "checked": checked,
            "counts": checked.by_path(),
            "max_image_kb": get_settings().course_image_max_bytes // 1024,
        },
    )


@router.post("/trainer/drafts/{draft_id}/modules")
def module_add(
    draft_id: RowId, db: WriteSession, user: PageAuthor, slug: Short = "", title: Short = ""
) -> Response:
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    try:
        folder = drafts.add_module(db, draft=draft, slug=slug, title=title, actor=user)
    except DraftFormErrors as exc:
        return redirect(_url(draft), flash=" ".join(exc.errors.values()))
    return redirect(_url(draft, "/file", path=f"{folder}/module.yaml"), flash="Modul ditambahkan.")


@router.post("/trainer/drafts/{draft_id}/lessons")
def lesson_add(
    draft_id: RowId,
    db: WriteSession,
    user: PageAuthor,
    folder: Short = "",
    slug: Short = "",
    title: Short = "",
) -> Response:
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    try:
        path = drafts.add_lesson(db, draft=draft, folder=folder, slug=slug, title=title, actor=user)
    except DraftFormErrors as exc:
        return redirect(_url(draft), flash=" ".join(exc.errors.values()))
    return redirect(_url(draft, "/file", path=path), flash="Pelajaran ditambahkan.")


@router.post("/trainer/drafts/{draft_id}/quizzes")
def quiz_add(draft_id: RowId, db: WriteSession, user: PageAuthor, path: PathForm = "") -> Response:
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    drafts.add_quiz(db, draft=draft, path=path, actor=user)
    return redirect(_url(draft, "/quiz", path=path), flash="Kuis dibuat; tambahkan soalnya.")


@router.post("/trainer/drafts/{draft_id}/delete")
def file_delete(
    draft_id: RowId,
    db: WriteSession,
    user: PageAuthor,
    path: PathForm = "",
    revision: Revision = 0,
) -> Response:
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    try:
        drafts.delete_file(db, draft=draft, path=path, revision=revision, actor=user)
    except StaleSave as exc:
        return redirect(_url(draft), flash=exc.message)
    return redirect(_url(draft), flash=f"{path} dihapus dari draf.")


@router.post("/trainer/drafts/{draft_id}/discard")
def draft_discard(draft_id: RowId, db: WriteSession, user: PageAuthor) -> Response:
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    drafts.discard(db, draft=draft, actor=user)
    return redirect("/trainer/drafts", flash="Draf dibuang; versi terbit tidak berubah.")


# -- One file: lesson editor, YAML editor ----------------------------------------------------


def _file_page(
    request: Request,
    db: Session,
    draft: CourseDraft,
    path: str,
    *,
    text: str | None = None,
    revision: int | None = None,
    fields: drafts.LessonFields | None = None,
    preview: str | None = None,
    stale: StaleSave | None = None,
    status_code: int = 200,
    raw: bool = False,
    settings: forms.CourseSettings | None = None,
    module: forms.ModuleForm | None = None,
) -> Response:
    item = _draft_file(db, draft, path) if stale is None or stale.current is not None else None
    files = drafts_repository.draft_files(db, draft.id)
    checked = drafts.check(draft, files)
    content = drafts.decode(item.content) if item is not None else ""
    is_lesson = path.endswith(".md")
    if is_lesson and fields is None:
        fields = drafts.lesson_fields(text if text is not None else content)
    unreadable = None
    if not raw and path == "course.yaml" and settings is None:
        try:
            settings = forms.course_settings(text if text is not None else content)
        except Invalid as exc:
            unreadable = exc.message
    if not raw and path.endswith("/module.yaml") and module is None:
        try:
            module = forms.module_form(text if text is not None else content)
        except Invalid as exc:
            unreadable = exc.message
    problems = checked.of(path)
    by_field: dict[str, list[str]] = {}
    if settings is not None or module is not None:
        keys = forms.COURSE_KEYS if settings is not None else forms.MODULE_KEYS
        for p in problems:
            key = forms.field_of(p.message, keys)
            if key is not None:
                by_field.setdefault(key, []).append(p.message)
        # Shown next to their field; the box at the top keeps the others.
        problems = [p for p in problems if forms.field_of(p.message, keys) is None]
    return render(
        request,
        "authoring/file.html",
        {
            "draft": draft,
            "path": path,
            "is_lesson": is_lesson,
            "is_quiz": path.endswith("quiz.yaml") or path in ("pretest.yaml", "posttest.yaml"),
            "is_media": path.startswith("media/"),
            "text": text if text is not None else content,
            "fields": fields,
            "revision": revision if revision is not None else (item.revision if item else 0),
            "problems": problems,
            "by_field": by_field,
            "settings": settings,
            "module": module,
            "unreadable": unreadable,
            "areas": AREAS,
            "levels": LEVELS,
            "preview": preview,
            "stale": stale,
            "media": [f.path for f in files if f.path.startswith("media/")],
            "max_image_kb": get_settings().course_image_max_bytes // 1024,
        },
        status_code=status_code,
    )


@router.get("/trainer/drafts/{draft_id}/file", response_class=HTMLResponse)
def file_page(
    request: Request,
    db: ReadSession,
    user: PageAuthor,
    draft: ReadDraft,
    path: PathQuery = "",
    raw: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    return _file_page(request, db, draft, path, raw=bool(raw))


@router.post("/trainer/drafts/{draft_id}/file", response_class=HTMLResponse)
def file_save(
    request: Request,
    draft_id: RowId,
    db: WriteSession,
    user: PageAuthor,
    path: PathForm = "",
    revision: Revision = 0,
    action: Short = "save",
    text: Text = "",
    title: Short = "",
    minutes: Short = "",
    video_url: Short = "",
    transcript: Text = "",
    body: Text = "",
    form_kind: Short = "",
    summary: Text = "",
    jp: Short = "",
    competency_area: Short = "",
    level: Short = "",
    passing_score: Short = "",
    max_attempts: Short = "",
    review: Short = "",
    authors: Text = "",
    references: Text = "",
    objective_id: OptionalList = None,
    objective_text: OptionalList = None,
) -> Response:
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    item = _draft_file(db, draft, path)
    fields = None
    settings = None
    module = None
    if form_kind == "course" and path == "course.yaml":
        settings = forms.CourseSettings(
            code="",
            title=title,
            summary=summary,
            jp=jp,
            competency_area=competency_area,
            level=level,
            passing_score=passing_score,
            max_attempts=max_attempts,
            review=review,
            authors=authors,
            references=references,
        )
        text = forms.course_yaml(drafts.decode(item.content), settings)
        settings.code = forms.course_settings(text).code
    elif form_kind == "module" and path.endswith("/module.yaml"):
        module = forms.ModuleForm(title, summary, objective_id or [], objective_text or [])
        files = drafts_repository.draft_files(db, draft.id)
        text = forms.module_yaml(
            drafts.decode(item.content),
            module,
            folder=path.split("/")[0],
            used_ids=set(drafts.objectives_of(files)),
        )
    if path.endswith(".md"):
        fields = drafts.LessonFields(title, minutes, video_url, transcript, body)
        text = drafts.lesson_text(
            title=title, minutes=minutes, video_url=video_url, transcript=transcript, body=body
        )
    if action == "preview":
        html = markdown.render(body, media_prefix=_url(draft, "/media"))
        return _file_page(
            request, db, draft, path, text=text, revision=revision, fields=fields, preview=html
        )
    try:
        drafts.save(db, draft=draft, path=path, text=text, revision=revision, actor=user)
    except StaleSave as exc:
        return _file_page(
            request,
            db,
            draft,
            path,
            text=text,
            revision=exc.revision,
            fields=fields,
            stale=exc,
            status_code=409,
            settings=settings,
            module=module,
        )
    return redirect(_url(draft, "/file", path=path), flash=f"{path} disimpan.")


@router.post("/trainer/drafts/{draft_id}/preview", response_class=HTMLResponse)
def live_preview(draft: ReadDraft, user: PageAuthor, body: Text = "") -> Response:
    """The lesson body rendered through the published lessons' sanitiser (for the script)."""
    html = markdown.render(body, media_prefix=_url(draft, "/media"))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/trainer/drafts/{draft_id}/media/{name}")
def media_file(draft: ReadDraft, db: ReadSession, user: PageAuthor, name: str) -> Response:
    """A draft's media file for its preview; only images show inline, anything else downloads."""
    item = _draft_file(db, draft, f"media/{name}")
    suffix = name.rsplit(".", 1)[-1].lower()
    content_type = _INLINE_IMAGES.get(suffix, "application/octet-stream")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if suffix not in _INLINE_IMAGES:
        headers["Content-Disposition"] = "attachment"
    return Response(bytes(item.content), media_type=content_type, headers=headers)


_INLINE_IMAGES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@router.post("/trainer/drafts/{draft_id}/media", response_class=HTMLResponse)
def media_upload(
    request: Request,
    draft_id: RowId,
    db: WriteSession,
    user: PageAuthor,
    file: Annotated[UploadFile, File()],
    alt: Short = "",
    lesson: PathForm = "",
    revision: Revision = 0,
) -> Response:
    """An image into the draft's media/, and (from a lesson) its Markdown at the lesson's end."""
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    back = _url(draft, "/file", path=lesson) if lesson else _url(draft)
    limit = get_settings().course_image_max_bytes
    alt = " ".join(alt.split())
    if not alt:
        return redirect(back, flash="Teks alternatif (alt) gambar wajib diisi: apa isi gambarnya.")
    taken = {f.path for f in drafts_repository.draft_files(db, draft.id)}
    try:
        stored = images.accept_image(
            file.file.read(limit + 1),
            filename=file.filename or "gambar",
            max_bytes=limit,
            taken=taken,
        )
    except Invalid as exc:
        return redirect(back, flash=exc.message)
    drafts.add_file(db, draft=draft, path=stored.path, content=stored.data, actor=user)
    if not lesson:
        return redirect(back, flash=f"Gambar disimpan sebagai {stored.path}.")
    try:
        drafts.append_image(
            db, draft=draft, path=lesson, revision=revision, alt=alt, image=stored.path, actor=user
        )
    except StaleSave:
        return redirect(
            back,
            flash=(
                f"Gambar disimpan sebagai {stored.path}, tetapi pelajaran sudah diubah penyunting "
                f"lain; tambahkan sendiri baris ![{alt}]({stored.path})."
            ),
        )
    return redirect(
        back,
        flash=f"Gambar ditambahkan di akhir pelajaran sebagai ![{alt}]({stored.path}); "
        "pindahkan baris itu ke tempat yang tepat.",
    )


# -- Questions -------------------------------------------------------------------------------


@router.get("/trainer/drafts/{draft_id}/quiz", response_class=HTMLResponse)
def quiz_page(
    request: Request, db: ReadSession, user: PageAuthor, draft: ReadDraft, path: PathQuery = ""
) -> Response:
    item = _draft_file(db, draft, path)
    text = drafts.decode(item.content)
    try:
        quiz = questions.read_quiz(text)
    except Invalid as exc:
        return redirect(_url(draft, "/file", path=path), flash=exc.message)
    files = drafts_repository.draft_files(db, draft.id)
    return render(
        request,
        "authoring/quiz.html",
        {
            "draft": draft,
            "path": path,
            "quiz": quiz,
            "revision": item.revision,
            "warning": questions.pool_warning(text),
            "problems": drafts.check(draft, files).of(path),
        },
    )


def _question_page(
    request: Request,
    db: Session,
    draft: CourseDraft,
    path: str,
    *,
    question_id: str,
    form: questions.QuestionForm | None = None,
    revision: int | None = None,
    errors: dict[str, str] | None = None,
    stale: StaleSave | None = None,
    status_code: int = 200,
) -> Response:
    item = _draft_file(db, draft, path)
    quiz = questions.read_quiz(drafts.decode(item.content))
    if form is None:
        found = next((q for q in quiz.get("questions") or [] if q.get("id") == question_id), None)
        if question_id and found is None:
            raise NotFound("Soal tidak ditemukan di kuis ini.")
        form = questions.question_to_form(found) if found else _EMPTY_QUESTION
    choices = list(form.choices) + [""] * max(0, 6 - len(form.choices))
    return render(
        request,
        "authoring/question.html",
        {
            "draft": draft,
            "path": path,
            "question_id": question_id,
            "form": form,
            "choices": choices,
            "revision": revision if revision is not None else item.revision,
            "errors": errors or {},
            "stale": stale,
            "objectives": drafts.objectives_of(drafts_repository.draft_files(db, draft.id)),
        },
        status_code=status_code,
    )


@router.get("/trainer/drafts/{draft_id}/question", response_class=HTMLResponse)
def question_page(
    request: Request,
    db: ReadSession,
    user: PageAuthor,
    draft: ReadDraft,
    path: PathQuery = "",
    id: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    return _question_page(request, db, draft, path, question_id=id)


_EMPTY_QUESTION = questions.QuestionForm(
    type="single",
    text="",
    choices=[],
    correct=[],
    answer="",
    answers="",
    explanation="",
    objective="",
)


@router.post("/trainer/drafts/{draft_id}/question", response_class=HTMLResponse)
def question_save(
    request: Request,
    draft_id: RowId,
    db: WriteSession,
    user: PageAuthor,
    path: PathForm = "",
    id: Short = "",
    revision: Revision = 0,
    action: Short = "save",
    type: Short = "",
    text: Text = "",
    choice: OptionalList = None,
    correct: OptionalList = None,
    answer: Short = "",
    answers: Text = "",
    explanation: Text = "",
    objective: Short = "",
) -> Response:
    """Save (or delete) one question: the quiz file is rewritten and saved like any file, so a
    second editor's save in between is refused the same way."""
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    form = questions.QuestionForm(
        type=type,
        text=text,
        choices=[c for c in choice or []],
        correct=[int(c) for c in correct or [] if c.isdigit()],
        answer=answer,
        answers=answers,
        explanation=explanation,
        objective=objective,
    )
    try:
        question_id = drafts.save_question(
            db,
            draft=draft,
            path=path,
            form=form,
            question_id=id,
            revision=revision,
            delete=action == "delete",
            actor=user,
        )
    except questions.QuestionErrors as exc:
        return _question_page(
            request,
            db,
            draft,
            path,
            question_id=id,
            form=form,
            revision=revision,
            errors=exc.errors,
            status_code=422,
        )
    except StaleSave as exc:
        return _question_page(
            request,
            db,
            draft,
            path,
            question_id=id,
            form=form,
            revision=exc.revision,
            stale=exc,
            status_code=409,
        )
    done = "dihapus" if action == "delete" else "disimpan"
    return redirect(_url(draft, "/quiz", path=path), flash=f"Soal {question_id} {done}.")


# -- Check, diff, publish --------------------------------------------------------------------


@router.get("/trainer/drafts/{draft_id}/publish", response_class=HTMLResponse)
def publish_page(request: Request, db: ReadSession, user: PageAuthor, draft: ReadDraft) -> Response:
    return _publish_page(request, db, draft)


def _publish_page(
    request: Request,
    db: Session,
    draft: CourseDraft,
    *,
    error: str | None = None,
    change_note: str = "",
    status_code: int = 200,
) -> Response:
    files = drafts_repository.draft_files(db, draft.id)
    checked = drafts.check(draft, files)
    published = drafts.published_files(db, draft=draft)
    return render(
        request,
        "authoring/publish.html",
        {
            "draft": draft,
            "checked": checked,
            "changes": drafts.changes(published, drafts.file_map(files)),
            "new_course": not published,
            "error": error,
            "change_note": change_note,
        },
        status_code=status_code,
    )


def checked_draft(draft: ReadDraft, db: ReadSession) -> drafts.DraftCheck:
    """The draft checked before the write transaction (rule 2)."""
    return drafts.check(draft, drafts_repository.draft_files(db, draft.id))


@router.post("/trainer/drafts/{draft_id}/publish", response_class=HTMLResponse)
def publish(
    request: Request,
    checked: Annotated[drafts.DraftCheck, Depends(checked_draft)],
    draft_id: RowId,
    db: WriteSession,
    user: PageAuthor,
    stamp: Short = "",
    change_note: Short = "",
) -> Response:
    draft = drafts.draft_for(db, draft_id=draft_id, user=user)
    slug = draft.slug
    try:
        result = drafts.publish(
            db,
            draft=draft,
            checked=checked,
            reviewed_stamp=stamp,
            change_note=change_note,
            actor=user,
        )
    except DraftFormErrors as exc:
        return _publish_page(
            request,
            db,
            draft,
            error=" ".join(exc.errors.values()),
            change_note=change_note,
            status_code=422,
        )
    except (Conflict, Invalid) as exc:
        return _publish_page(
            request, db, draft, error=exc.message, change_note=change_note, status_code=409
        )
    if not result.ok:
        return _publish_page(
            request,
            db,
            draft,
            error="; ".join(in_indonesian(str(p)) for p in result.problems),
            change_note=change_note,
            status_code=422,
        )
    if result.action == "unchanged":
        message = f"Isi draf sama dengan versi terbit; kursus tetap versi {result.version}."
    else:
        message = f"Kursus {slug} diterbitkan sebagai versi {result.version}."
    return redirect(f"/trainer/courses/{slug}", flash=message)
