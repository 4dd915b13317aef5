"""Administration pages: users and roles, units, the audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.accounts import repository as accounts_repository
from app.accounts import service as accounts
from app.accounts.deps import AdminUser, verify_csrf
from app.admin.deps import AdminCertificate, ManagedUser
from app.admin.user_page import ROLE_LABELS, render_user
from app.audit import repository as audit_repository
from app.audit import service as audit
from app.backup import service as backups
from app.certificates import issuer
from app.certificates import service as certificates
from app.completion import service as completion
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import AppError
from app.core.params import PageNumber
from app.core.templating import redirect, render
from app.models import Role
from app.org import repository as org_repository
from app.org import service as org

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/admin",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


@router.get("", response_class=HTMLResponse)
def admin_home(user: AdminUser) -> Response:
    return redirect("/admin/users")


@router.get("/users", response_class=HTMLResponse)
def users(
    request: Request,
    db: ReadSession,
    user: AdminUser,
    q: str | None = None,
    role: str | None = None,
    page: PageNumber = 1,
) -> Response:
    page = max(page, 1)
    rows, total = accounts_repository.search_users(
        db, query=(q or "").strip() or None, role=role, instansi_id=None, page=page
    )
    return render(
        request,
        "admin/users.html",
        {
            "users": rows,
            "total": total,
            "page": page,
            "q": q or "",
            "role": role or "",
            "pages": max(1, -(-total // 50)),
            "role_labels": ROLE_LABELS,
        },
    )


@router.get("/users/new", response_class=HTMLResponse)
def user_new(request: Request, db: ReadSession, user: AdminUser) -> Response:
    return render(
        request,
        "admin/user_new.html",
        {
            "instansi_choices": org_repository.all_instansi(db),
            "role_labels": ROLE_LABELS,
            "form": {},
        },
    )


@router.post("/users/new", response_class=HTMLResponse)
def user_create(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    nip: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    jenis_asn: Annotated[str, Form()] = "PNS",
    instansi: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {
        "nip": nip,
        "name": name,
        "email": email,
        "jenis_asn": jenis_asn,
        "instansi": instansi,
        "roles": roles or [],
    }
    try:
        target = org.get_instansi(db, code=instansi) if instansi else None
        created = accounts.create_user(
            db,
            nip=nip or None,
            name=name,
            email=email or None,
            password=None,
            roles=roles or ["learner"],
            instansi=target,
            jenis_asn=jenis_asn,
            actor=admin,
            must_change_password=True,
        )
        temporary = accounts.reset_password(db, user=created, actor=admin)
    except AppError as exc:
        return render(
            request,
            "admin/user_new.html",
            {
                "instansi_choices": org_repository.all_instansi(db),
                "role_labels": ROLE_LABELS,
                "form": form,
                "error": exc.message,
            },
            status_code=422,
        )
    return render_user(request, db, created, temporary=temporary)


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_detail(
    request: Request, managed: ManagedUser, admin: AdminUser, db: WriteSession
) -> Response:
    accounts.record_person_view(db, person=managed, viewer=admin)
    return render_user(request, db, managed)


@router.post("/users/{user_id}/roles", response_class=HTMLResponse)
def user_roles(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    managed: ManagedUser,
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        accounts.set_roles(db, user=managed, roles=roles or [], actor=admin)
    except AppError as exc:
        return render_user(request, db, managed, error=exc.message, status_code=422)
    return redirect(f"/admin/users/{managed.id}", flash="Peran pengguna diperbarui.")


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
def user_active(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    managed: ManagedUser,
    active: Annotated[str, Form()] = "0",
) -> Response:
    try:
        accounts.set_active(db, user=managed, active=active == "1", actor=admin)
    except AppError as exc:
        return render_user(request, db, managed, error=exc.message, status_code=422)
    message = "Akun diaktifkan." if active == "1" else "Akun dinonaktifkan; semua sesinya berakhir."
    return redirect(f"/admin/users/{managed.id}", flash=message)


@router.post("/users/{user_id}/password", response_class=HTMLResponse)
def user_reset_password(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    managed: ManagedUser,
) -> Response:
    temporary = accounts.reset_password(db, user=managed, actor=admin)
    response = render_user(request, db, managed, temporary=temporary)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/units", response_class=HTMLResponse)
def units(request: Request, db: ReadSession, admin: AdminUser) -> Response:
    trees = [
        (i, org.flatten(org.unit_tree(db, instansi=i))) for i in org_repository.all_instansi(db)
    ]
    return render(request, "admin/units.html", {"trees": trees, "form": {}})


@router.post("/units", response_class=HTMLResponse)
def unit_create(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    instansi: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    parent: Annotated[str, Form()] = "",
) -> Response:
    try:
        target = org.get_instansi(db, code=instansi)
        org.create_unit(
            db, instansi=target, code=code, name=name, parent_code=parent or None, actor=admin
        )
    except AppError as exc:
        trees = [
            (i, org.flatten(org.unit_tree(db, instansi=i))) for i in org_repository.all_instansi(db)
        ]
        return render(
            request,
            "admin/units.html",
            {
                "trees": trees,
                "error": exc.message,
                "form": {"instansi": instansi, "code": code, "name": name, "parent": parent},
            },
            status_code=422,
        )
    return redirect("/admin/units", flash=f"Unit {code} ditambahkan.")


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    db: ReadSession,
    admin: AdminUser,
    action: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page: PageNumber = 1,
) -> Response:
    page = min(max(page, 1), 100_000)
    query = {
        "action": action or "",
        "actor": actor or "",
        "since": since or "",
        "until": until or "",
    }
    found = audit.parse_filter(action=action, actor=actor, since=since, until=until)
    events, total = audit_repository.page(db, filter=found, page=page)
    return render(
        request,
        "admin/audit.html",
        {
            "events": audit.views(db, events),
            "total": total,
            "page": page,
            "query": query,
            "query_string": urlencode(query),
            "actions": [(a, audit.action_label(a)) for a in audit_repository.actions(db)],
            "pages": max(1, -(-total // 50)),
        },
    )


@router.get("/audit.csv")
def audit_export(
    db: WriteSession,
    admin: AdminUser,
    action: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """The filtered log as CSV; the export is audited, so the route writes."""
    found = audit.parse_filter(action=action, actor=actor, since=since, until=until)
    body = audit.export_csv(db, filter=found, actor=admin)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="log-audit.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/certificates", response_class=HTMLResponse)
def certificate_register(
    request: Request, db: ReadSession, admin: AdminUser, q: str | None = None, page: PageNumber = 1
) -> Response:
    page = max(page, 1)
    rows, total = certificates.register(db, query=(q or "").strip() or None, page=page)
    return render(
        request,
        "admin/certificates.html",
        {
            "rows": rows,
            "total": total,
            "q": q or "",
            "page": page,
            "pages": max(1, -(-total // 50)),
        },
    )


@router.post("/certificates/{certificate_id}/revoke", response_class=HTMLResponse)
def certificate_revoke(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    cert: AdminCertificate,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        completion.revoke_certificate(db, certificate=cert, reason=reason, actor=admin)
    except AppError as exc:
        return redirect("/admin/certificates", flash=exc.message)
    return redirect("/admin/certificates", flash=f"Sertifikat {cert.number} dicabut.")


@router.post("/certificates/{certificate_id}/reissue", response_class=HTMLResponse)
def certificate_reissue(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    cert: AdminCertificate,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        certificates.reissue(db, certificate=cert, reason=reason, actor=admin)
    except AppError as exc:
        return redirect("/admin/certificates", flash=exc.message)
    return redirect("/admin/certificates", flash=f"Sertifikat {cert.number} diterbitkan ulang.")


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, db: ReadSession, admin: AdminUser) -> Response:
    return render(
        request,
        "admin/settings.html",
        {"form": issuer.as_dict(issuer.current(db)), "backup": backups.panel(db)},
    )


@router.post("/settings", response_class=HTMLResponse)
def settings_save(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    logo: Annotated[UploadFile | None, File()] = None,
    parent: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    signatory_name: Annotated[str, Form()] = "",
    signatory_nip: Annotated[str, Form()] = "",
    signatory_title: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "parent": parent,
        "name": name,
        "code": code,
        "place": place,
        "signatory_name": signatory_name,
        "signatory_nip": signatory_nip,
        "signatory_title": signatory_title,
    }
    data = logo.file.read(issuer.MAX_LOGO_BYTES + 1) if logo is not None and logo.filename else None
    try:
        issuer.update(db, values=values, logo=data, actor=admin)
    except AppError as exc:
        return render(
            request,
            "admin/settings.html",
            {"form": values, "error": exc.message, "backup": backups.panel(db)},
            status_code=422,
        )
    return redirect(
        "/admin/settings",
        flash="Pengaturan sertifikat disimpan. Berlaku untuk sertifikat berikutnya.",
    )


ALL_ROLES = [r.value for r in Role]
