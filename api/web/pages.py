"""The workspace pages (Bahasa Indonesia), served at ``/`` by ``penata serve``.

Thin adapters: each handler checks the session and role, calls the service
functions the JSON API uses (:mod:`api.services`) and renders a template with the
views of :mod:`api.web.plans`. Forms post back with the session's CSRF token; a
handler that changes something answers with a redirect (303) to the page to read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from api import errors, services
from api.attachments import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, attachment
from api.db import Job, PlanDocument, ScenarioRecord
from api.deps import get_session
from api.files import TABLE_ROLES, StoredFile, Upload, place_upload
from api.jobs import latest_done_job, utc
from api.routes.common import job_info
from api.schemas import Edit
from api.security import ADMIN_ROLES, DECIDE_ROLES, PLAN_ROLES
from api.web import plans as views
from api.web import problems as problem_table
from api.web.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    BadCsrf,
    NotSignedIn,
    WebUser,
    check_csrf,
    current_user,
    new_login_csrf,
    require,
    sign_in,
    sign_out,
)
from api.web.downloads import ANNEX_HEADER, annex_xlsx, audit_xlsx, csv_bytes
from solver.io import InputError, decode_yaml, parse_date, read_config
from solver.review.packet import render_html
from solver.scenario import PERFORMANCE_ORDER, PlanSettings, Rules, Weights

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["thousands"] = lambda v: "—" if v is None else f"{int(v):,}".replace(
    ",", ".")
TEMPLATES.env.filters["percent"] = lambda v: "—" if v is None else f"{100 * v:.2f}%"
_EDITS = TypeAdapter(list[Edit])

router = APIRouter(include_in_schema=False)
SessionDep = Annotated[Session, Depends(get_session)]

STATUS_LABELS = {"queued": "menunggu", "running": "berjalan", "done": "selesai",
                 "failed": "gagal", "cancelled": "dibatalkan"}
ROLE_LABELS = {"admin": "admin", "planner": "perencana", "committee": "anggota Baperjakat",
               "viewer": "pembaca"}
ACTION_LABELS = {"approve": "disetujui", "reject": "ditolak"}
EDIT_LABELS = {"lock": "kunci", "forbid": "larang", "abolish_position": "hapus jabatan",
               "set_headcount": "ubah jumlah kursi", "remove_employee": "keluarkan pegawai",
               "add_position": "tambah jabatan", "add_employee": "tambah pegawai",
               "set_rules": "ubah aturan", "set_weights": "ubah bobot",
               "set_scope": "ubah cakupan"}
TEMPLATES.env.globals.update(STATUS_LABELS=STATUS_LABELS, ROLE_LABELS=ROLE_LABELS,
                             ACTION_LABELS=ACTION_LABELS, EDIT_LABELS=EDIT_LABELS,
                             LEVEL_LABELS=views.LEVEL_LABELS,
                             PERFORMANCE_ORDER=PERFORMANCE_ORDER)


def web_user(request: Request, session: SessionDep) -> WebUser:
    return current_user(request, session)


User = Annotated[WebUser, Depends(web_user)]


def _rounds(request: Request) -> views.RoundCache:
    cache = getattr(request.app.state, "web_rounds", None)
    if cache is None:
        cache = request.app.state.web_rounds = views.RoundCache()
    return cache


def render(request: Request, name: str, user: WebUser | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    context.update(user=user, csrf=user.csrf if user else "")
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


def see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def message_page(request: Request, user: WebUser | None, status_code: int, title: str,
                 messages: list[str], back: str = "/") -> HTMLResponse:
    return render(request, "message.html", user, status_code, title=title,
                  messages=messages, back=back)


def _detail(exc: HTTPException) -> list[str]:
    detail = exc.detail
    if isinstance(detail, list):
        return [str(d) for d in detail]
    return [str(detail)]


async def _form(request: Request, user: WebUser) -> FormData:
    """The posted form, once its CSRF token is checked; every post counts against the
    token's rate limit like the API's POSTs (429 over it)."""
    form = await request.form(max_files=20, max_fields=200,
                              max_part_size=request.app.state.settings.max_request_bytes)
    check_csrf(user.csrf, form.get(CSRF_FIELD))
    retry = request.app.state.rate_limiter.hit(user.principal.token_id)
    if retry is not None:
        raise HTTPException(429, f"Terlalu banyak permintaan; coba lagi dalam "
                            f"{max(1, math.ceil(retry))} detik.")
    return form


def _text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


# --------------------------------------------------------------------------- sign in


@router.get("/masuk", response_class=HTMLResponse)
def login_form(request: Request, alasan: str = "") -> HTMLResponse:
    token = new_login_csrf()
    notes = {"expired": "Sesi Anda sudah berakhir; silakan masuk lagi.",
             "revoked": "Token sesi ini sudah dicabut; masuk dengan token lain.",
             "out": "Anda sudah keluar."}
    response = render(request, "login.html", None, login_csrf=token,
                      note=notes.get(alasan, ""))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.web_cookie_secure, path="/masuk")
    return response


@router.post("/masuk", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    try:
        check_csrf(expected, form.get(CSRF_FIELD))
    except BadCsrf:
        return message_page(request, None, 403, "Formulir kedaluwarsa",
                            ["Muat ulang halaman masuk lalu coba lagi."], back="/masuk")
    token = form.get("token")
    settings = request.app.state.settings
    made = sign_in(session, token if isinstance(token, str) else "",
                   settings.web_session_minutes)
    if made is None:
        fresh = new_login_csrf()
        response = render(request, "login.html", None, 401, login_csrf=fresh,
                          error="Token tidak dikenal atau sudah dicabut.")
        response.set_cookie(LOGIN_CSRF_COOKIE, fresh, httponly=True, samesite="strict",
                            secure=settings.web_cookie_secure, path="/masuk")
        return response
    cookie, _ = made
    redirect = see("/")
    redirect.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict",
                        secure=settings.web_cookie_secure, path="/",
                        max_age=settings.web_session_minutes * 60)
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/masuk")
    return redirect


@router.post("/keluar")
async def logout(request: Request, session: SessionDep, user: User) -> Response:
    await _form(request, user)
    sign_out(session, request.cookies.get(SESSION_COOKIE))
    response = see("/masuk?alasan=out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --------------------------------------------------------------------------- rounds


def _latest_job(session: Session, scenario_id: str) -> Job | None:
    return session.scalars(select(Job).where(Job.scenario_id == scenario_id)
                           .order_by(Job.created_at.desc())).first()


@router.get("/", response_class=HTMLResponse)
def rounds(request: Request, session: SessionDep, user: User) -> HTMLResponse:
    records = list(session.scalars(select(ScenarioRecord)
                                   .order_by(ScenarioRecord.created_at.desc())))
    children: dict[str, list[ScenarioRecord]] = {}
    for record in records:
        if record.base_id:
            children.setdefault(record.base_id, []).append(record)
    items = []
    for record in records:
        if record.base_id:
            continue
        job = _latest_job(session, record.id)
        items.append({"record": record, "job": job, "derived": children.get(record.id, []),
                      "created": utc(record.created_at)})
    return render(request, "rounds.html", user, items=items)


@router.get("/putaran/baru", response_class=HTMLResponse)
def new_round_form(request: Request, user: User) -> HTMLResponse:
    require(user, PLAN_ROLES)
    return render(request, "new_round.html", user)


async def _uploads(form: FormData) -> tuple[Upload, dict[str, Upload]]:
    """The scenario YAML and tables of the upload form: four named file fields, or the
    files of one scenario folder (the YAML says which table is which)."""
    named: dict[str, Upload] = {}
    for role in ("scenario", *TABLE_ROLES):
        value = form.get(role)
        if isinstance(value, UploadFile) and value.filename:
            named[role] = Upload(value.filename, await value.read())
    folder = [v for v in form.getlist("folder") if isinstance(v, UploadFile) and v.filename]
    if folder:
        files = {str(v.filename).replace("\\", "/").rsplit("/", 1)[-1]: await v.read()
                 for v in folder}
        yamls = [n for n in files if n.lower().endswith((".yaml", ".yml"))]
        if len(yamls) != 1:
            raise InputError([f"folder: berisi {len(yamls)} berkas YAML; harus tepat satu "
                              "berkas skenario (.yaml)"])
        named.setdefault("scenario", Upload(yamls[0], files[yamls[0]]))
        try:  # the loader's strict, bounded parse (the upload is parsed again there)
            config = read_config(decode_yaml(files[yamls[0]], yamls[0]), yamls[0]).config
        except InputError:
            config = None
        for role in TABLE_ROLES:
            ref = config.get(role) if isinstance(config, dict) else None
            base = str(ref).replace("\\", "/").rsplit("/", 1)[-1] if ref else ""
            if base in files and role not in named:
                named[role] = Upload(base, files[base])
    missing = [role for role in ("scenario", "employees", "positions") if role not in named]
    if missing:
        labels = {"scenario": "berkas skenario (YAML)", "employees": "tabel pegawai",
                  "positions": "tabel jabatan"}
        raise InputError([f"{labels[r]}: belum diunggah" for r in missing])
    yaml_upload = named.pop("scenario")
    return yaml_upload, named


@router.post("/putaran/baru", response_class=HTMLResponse)
async def new_round(request: Request, session: SessionDep, user: User) -> Response:
    require(user, PLAN_ROLES)
    form = await _form(request, user)

    async def files() -> list[StoredFile]:
        yaml_upload, tables = await _uploads(form)
        return place_upload(yaml_upload, tables)

    return await _store_round(request, session, user, files)


async def _store_round(request: Request, session: Session, user: WebUser,
                       files_of: Callable[[], Awaitable[list[StoredFile]]]) -> Response:
    """Validate the files ``files_of`` gives and store them as a new round (then its
    page); input problems go to the problems page in the loader's words."""
    try:
        files = await files_of()
        scenario = await run_in_threadpool(services.validate, files,
                                           request.app.state.settings)
    except InputError as exc:
        return _problems_page(request, user, exc.errors)
    except HTTPException as exc:
        return _problems_page(request, user, _detail(exc))
    record = await run_in_threadpool(services.store, session, files, scenario)
    return see(f"/putaran/{record.id}")


SIASN_LABELS = {
    "pegawai": "Export Data ASN (pegawai)", "peta_jabatan": "Peta jabatan (ABK)",
    "kinerja": "Predikat kinerja e-Kinerja (opsional)",
    "talenta": "Peta talenta / potensi (opsional)", "hukdis": "Hukuman disiplin (opsional)",
    "kompetensi": "Hasil asesmen kompetensi (opsional)",
    "standar_kompetensi": "Standar kompetensi jabatan (opsional)",
    "seleksi": "Nilai panitia seleksi terbuka (opsional)",
    "kamus_pendidikan": "Kamus pendidikan → bidang (opsional)",
    "map": "Pemetaan nama kolom, YAML (opsional)",
}
TEMPLATES.env.globals["SIASN_LABELS"] = SIASN_LABELS


@router.post("/putaran/impor", response_class=HTMLResponse)
async def import_round(request: Request, session: SessionDep, user: User) -> Response:
    """A round from SIASN-style exports (the importer of ``penata import siasn``)."""
    require(user, PLAN_ROLES)
    form = await _form(request, user)
    uploads: dict[str, Upload] = {}
    for role in services.SIASN_SOURCES:
        value = form.get(f"siasn.{role}")
        if isinstance(value, UploadFile) and value.filename:
            uploads[role] = Upload(value.filename, await value.read())
    as_of = parse_date(_text(form, "as_of"))
    if as_of is None:
        return _problems_page(request, user, [
            f"as_of: {_text(form, 'as_of')!r} is not a date; expected YYYY-MM-DD"])

    async def files() -> list[StoredFile]:
        return await run_in_threadpool(services.import_siasn, uploads, as_of,
                                       _text(form, "name")[:200] or None)

    return await _store_round(request, session, user, files)


@router.get("/putaran/{scenario_id}/laporan-impor.md")
def import_report(scenario_id: str, session: SessionDep, user: User) -> Response:
    record = _record(session, scenario_id)
    stored = next((f for f in record.files if f.role == services.IMPORT_REPORT_ROLE), None)
    if stored is None:
        raise HTTPException(404, "This round was not imported from SIASN exports")
    return _attachment(stored.content, "text/markdown; charset=utf-8", "import-report.md")


def _problems_page(request: Request, user: WebUser, messages: list[str]) -> HTMLResponse:
    return render(request, "new_round.html", user, 422,
                  problems=problem_table.parse_all(messages), messages=messages)


@router.post("/masalah.csv")
async def problems_csv(request: Request, user: User) -> Response:
    form = await _form(request, user)
    messages = [m for m in form.getlist("message") if isinstance(m, str)][:1000]
    rows = problem_table.csv_rows(problem_table.parse_all(messages))
    return attachment(csv_bytes(problem_table.CSV_HEADER, rows), "masalah-input.csv",
                      CSV_MEDIA_TYPE)


def _round_context(request: Request, session: Session, record: ScenarioRecord) -> dict[str, Any]:
    rnd = _rounds(request).get(record)
    scenario = rnd.scenario
    jobs = list(session.scalars(select(Job).where(Job.scenario_id == record.id)
                                .order_by(Job.created_at.desc())))
    units = sorted(set(rnd.unit.values()))
    levels = sorted(set(rnd.level.values()))
    base = session.get(ScenarioRecord, record.base_id) if record.base_id else None
    derived = list(session.scalars(select(ScenarioRecord).where(
        ScenarioRecord.base_id == record.id).order_by(ScenarioRecord.created_at.desc())))
    entries, problems = services.audit_log(record)
    return {
        "record": record, "rnd": rnd, "scenario": scenario, "jobs": jobs,
        "latest_done": latest_done_job(session, record.id), "base": base, "derived": derived,
        "units": units, "levels": levels,
        "scope_units": set(scenario.scope.units) if scenario.scope.units else set(units),
        "scope_levels": set(scenario.scope.levels) if scenario.scope.levels else set(levels),
        "rules": [(k, getattr(scenario.rules, k), getattr(Rules(), k), views.RULE_HELP[k])
                  for k in views.RULE_HELP],
        "weights": [(k, getattr(scenario.weights, k), getattr(Weights(), k),
                     views.WEIGHT_HELP[k]) for k in views.WEIGHT_HELP],
        "plan_defaults": PlanSettings(), "settings": request.app.state.settings,
        "decision_count": len(entries), "log_ok": not problems,
        "imported": any(f.role == services.IMPORT_REPORT_ROLE for f in record.files),
    }


def _record(session: Session, scenario_id: str) -> ScenarioRecord:
    return errors.get_scenario(session, scenario_id)


@router.get("/putaran/{scenario_id}", response_class=HTMLResponse)
def round_page(request: Request, scenario_id: str, session: SessionDep,
               user: User) -> HTMLResponse:
    record = _record(session, scenario_id)
    return render(request, "round.html", user, **_round_context(request, session, record))


def _rule_value(name: str, raw: str) -> Any:
    if name == "promotion_min_performance":
        return raw
    if name == "max_unit_turnover":
        return float(raw.replace(",", "."))
    return int(raw)


@router.post("/putaran/{scenario_id}/pengaturan", response_class=HTMLResponse)
async def round_settings(request: Request, scenario_id: str, session: SessionDep,
                         user: User) -> Response:
    require(user, PLAN_ROLES)
    form = await _form(request, user)
    record = _record(session, scenario_id)
    rnd = _rounds(request).get(record)
    problems: list[str] = []
    rules: dict[str, Any] = {}
    for name in views.RULE_HELP:
        raw = _text(form, f"rule.{name}")
        if not raw:
            continue
        try:
            rules[name] = _rule_value(name, raw)
        except ValueError:
            problems.append(f"aturan {name}: {raw!r} bukan angka")
    weights: dict[str, Any] = {}
    for name in views.WEIGHT_HELP:
        raw = _text(form, f"weight.{name}")
        if raw:
            try:
                weights[name] = int(raw)
            except ValueError:
                problems.append(f"bobot {name}: {raw!r} bukan bilangan bulat")
    units = [u for u in form.getlist("unit") if isinstance(u, str)]
    levels = [int(v) for v in form.getlist("level") if isinstance(v, str) and v.isdigit()]
    if problems:
        return message_page(request, user, 422, "Pengaturan tidak disimpan", problems,
                            back=f"/putaran/{scenario_id}")
    all_units = sorted(set(rnd.unit.values()))
    all_levels = sorted(set(rnd.level.values()))
    edits = _EDITS.validate_python([
        {"op": "set_rules", "rules": rules}, {"op": "set_weights", "weights": weights},
        {"op": "set_scope", "units": None if sorted(units) == all_units else units,
         "levels": None if sorted(levels) == all_levels else levels},
    ])
    try:
        target = services.configure(session, request.app.state.settings, record, edits)
    except HTTPException as exc:
        return message_page(request, user, exc.status_code, "Pengaturan tidak disimpan",
                            [problem_table.one_line(m) for m in _detail(exc)],
                            back=f"/putaran/{scenario_id}")
    return see(f"/putaran/{target.id}")


def _number(form: FormData, name: str, kind: type, default: Any) -> Any:
    raw = _text(form, name)
    if not raw:
        return default
    try:
        return kind(raw.replace(",", "."))
    except ValueError:
        return default


@router.post("/putaran/{scenario_id}/selesaikan", response_class=HTMLResponse)
async def solve(request: Request, scenario_id: str, session: SessionDep,
                user: User) -> Response:
    # The committee re-solves after its decisions (approved moves are locks by then).
    require(user, DECIDE_ROLES)
    form = await _form(request, user)
    settings = request.app.state.settings
    try:
        job = services.start_solve(
            session, settings, request.app.state.jobs, scenario_id, owner=user.principal,
            plans=_number(form, "plans", int, None),
            time_limit=_number(form, "time_limit", float, None), explain=True,
            shortlist_time=max(0.0, _number(form, "shortlist_time", float,
                                            settings.web_shortlist_time)))
    except HTTPException as exc:
        return message_page(request, user, exc.status_code, "Penyelesaian tidak dimulai",
                            _detail(exc), back=f"/putaran/{scenario_id}")
    return see(f"/tugas/{job.id}")


# --------------------------------------------------------------------------- jobs


def _job(session: Session, job_id: str) -> Job:
    return errors.get_job(session, job_id)


def _document(session: Session, job: Job) -> dict[str, Any] | None:
    stored = session.get(PlanDocument, job.id)
    if stored is None or job.status in ("queued", "running"):
        return None
    return stored.document


@router.get("/tugas/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, session: SessionDep, user: User) -> HTMLResponse:
    job = _job(session, job_id)
    record = _record(session, job.scenario_id)
    info = job_info(job, request.app.state.jobs)
    document = _document(session, job)
    context: dict[str, Any] = {"job": job, "info": info, "record": record,
                               "document": document,
                               "can_cancel": user.role in ADMIN_ROLES or (
                                   user.can_plan and job.owner_token_id == user.principal.token_id)}
    if document is not None and document.get("plans"):
        rnd = _rounds(request).get(record)
        doc = views.explained(document, rnd)
        context["summaries"] = [views.summary(rnd, p) for p in doc["plans"]]
        base_plan = _base_plan(session, job)
        if base_plan is not None:
            context["whatif"] = views.what_if_diff(rnd, doc["plans"][0], base_plan)
            context["base_job_id"] = job.base_job_id
            context["edits"] = record.edits or []
    return render(request, "job.html", user, **context)


def _base_plan(session: Session, job: Job) -> dict[str, Any] | None:
    if job.base_job_id is None:
        return None
    stored = session.get(PlanDocument, job.base_job_id)
    return views.find(stored.document, 1) if stored is not None else None


@router.get("/tugas/{job_id}/kemajuan")
def job_progress(request: Request, job_id: str, session: SessionDep, user: User) -> JSONResponse:
    info = job_info(_job(session, job_id), request.app.state.jobs)
    progress = info.progress
    gap = None
    if progress.best_objective is not None and progress.bound is not None:
        gap = abs(progress.bound - progress.best_objective) / max(1.0, abs(progress.bound))
    return JSONResponse({"status": info.status, "status_label": STATUS_LABELS[info.status],
                         "plan": progress.plan, "plans": info.params.get("plans"),
                         "objective": progress.best_objective, "bound": progress.bound,
                         "gap": gap, "elapsed": progress.elapsed, "error": info.error,
                         "shortlists_done": progress.shortlists_done,
                         "shortlists_total": progress.shortlists_total},
                        headers={"Cache-Control": "no-store"})


@router.post("/tugas/{job_id}/batal", response_class=HTMLResponse)
async def cancel(request: Request, job_id: str, session: SessionDep, user: User) -> Response:
    require(user, PLAN_ROLES)
    await _form(request, user)
    try:
        services.cancel(session, request.app.state.jobs, job_id, user.principal)
    except HTTPException as exc:
        return message_page(request, user, exc.status_code, "Tidak dibatalkan", _detail(exc),
                            back=f"/tugas/{job_id}")
    return see(f"/tugas/{job_id}")


def _plan_context(request: Request, session: Session, job_id: str,
                  rank: int) -> dict[str, Any]:
    job = _job(session, job_id)
    record = _record(session, job.scenario_id)
    document = _document(session, job)
    if document is None:
        raise HTTPException(409, errors.plans_not_ready(job_id, job.status))
    rnd = _rounds(request).get(record)
    doc = views.explained(document, rnd)
    plan = views.find(doc, rank)
    if plan is None:
        raise HTTPException(404, errors.rank_not_found(job_id, rank))
    return {"job": job, "record": record, "rnd": rnd, "doc": doc, "plan": plan,
            "ranks": [p["rank"] for p in doc["plans"]]}


def _filters(request: Request) -> views.Filters:
    q = request.query_params
    return views.Filters(unit=q.get("unit", ""), level=q.get("level", ""),
                         moved=q.get("moved") == "1", promotions=q.get("promotions") == "1",
                         kms=q.get("kms") == "1", q=q.get("q", "")[:100])


@router.get("/tugas/{job_id}/rencana/{rank}", response_class=HTMLResponse)
def plan_page(request: Request, job_id: str, rank: int, session: SessionDep,
              user: User) -> HTMLResponse:
    ctx = _plan_context(request, session, job_id, rank)
    rnd, plan = ctx["rnd"], ctx["plan"]
    filters = _filters(request)
    rows = views.post_rows(rnd, plan, filters)
    return render(request, "plan.html", user, **ctx, summary=views.summary(rnd, plan),
                  charts=views.charts(rnd, plan), groups=views.by_unit(rows),
                  shown=len(rows), filters=filters, units=sorted(set(rnd.unit.values())),
                  levels=sorted(set(rnd.level.values())))


@router.get("/tugas/{job_id}/rencana/{rank}/jabatan/{position}", response_class=HTMLResponse)
def post_page(request: Request, job_id: str, rank: int, position: str, session: SessionDep,
              user: User) -> HTMLResponse:
    ctx = _plan_context(request, session, job_id, rank)
    rnd, plan = ctx["rnd"], ctx["plan"]
    if position not in rnd.title:
        raise HTTPException(404, f"Position '{position}' not found")
    row = next((r for r in views.post_rows(rnd, plan, views.Filters())
                if r["id"] == position), None)
    return render(request, "post.html", user, **ctx, row=row, position=position)


@router.get("/tugas/{job_id}/rencana/{rank}/pegawai/{nip}", response_class=HTMLResponse)
def person_page(request: Request, job_id: str, rank: int, nip: str, session: SessionDep,
                user: User) -> HTMLResponse:
    ctx = _plan_context(request, session, job_id, rank)
    person = views.person_view(ctx["rnd"], ctx["doc"], nip)
    if person is None:
        raise HTTPException(404, f"NIP '{nip}' not found")
    here = next(p for p in person["placements"] if p["rank"] == rank)
    return render(request, "person.html", user, **ctx, person=person, here=here,
                  posts=sorted(ctx["rnd"].in_scope_posts()))


@router.get("/tugas/{job_id}/banding", response_class=HTMLResponse)
def compare_page(request: Request, job_id: str, session: SessionDep, user: User,
                 a: int = 1, b: int = 2) -> HTMLResponse:
    ctx = _plan_context(request, session, job_id, a)
    other = views.find(ctx["doc"], b)
    if other is None:
        raise HTTPException(404, errors.rank_not_found(job_id, b))
    rnd = ctx["rnd"]
    return render(request, "compare.html", user, **ctx, a=a, b=b,
                  sa=views.summary(rnd, ctx["plan"]), sb=views.summary(rnd, other),
                  diff=views.compare(rnd, ctx["plan"], other))


# --------------------------------------------------------------------------- what-if


@router.post("/putaran/{scenario_id}/andaikan", response_class=HTMLResponse)
async def what_if(request: Request, scenario_id: str, session: SessionDep,
                  user: User) -> Response:
    require(user, PLAN_ROLES)
    form = await _form(request, user)
    record = _record(session, scenario_id)
    op, nip, position = _text(form, "op"), _text(form, "nip"), _text(form, "position")
    back = _text(form, "back") or f"/putaran/{scenario_id}"
    if not back.startswith("/") or back.startswith("//"):
        back = f"/putaran/{scenario_id}"
    edit: dict[str, Any]
    if op in ("lock", "forbid"):
        edit = {"op": op, "nip": nip, "position": position}
    elif op == "abolish_position":
        edit = {"op": op, "position": position}
    elif op == "add_seat":
        seats = _rounds(request).get(record).headcount.get(position, 0)
        edit = {"op": "set_headcount", "position": position, "headcount": seats + 1}
    elif op == "remove_employee":
        edit = {"op": op, "nip": nip}
    else:
        return message_page(request, user, 422, "Andaikan tidak dijalankan",
                            [f"perubahan {op!r} tidak dikenal"], back=back)
    try:
        edits = _EDITS.validate_python([edit])
        started = services.start_what_if(session, request.app.state.settings,
                                         request.app.state.jobs, scenario_id, edits,
                                         owner=user.principal, plans=1, warm_start=True,
                                         explain=True)
    except ValidationError:
        return message_page(request, user, 422, "Andaikan tidak dijalankan",
                            ["isian formulir tidak lengkap"], back=back)
    except HTTPException as exc:
        return message_page(request, user, exc.status_code, "Andaikan tidak dijalankan",
                            [problem_table.one_line(m) for m in _detail(exc)], back=back)
    return see(f"/tugas/{started.job.id}")


# --------------------------------------------------------------------------- committee


@router.post("/putaran/{scenario_id}/keputusan", response_class=HTMLResponse)
async def decide(request: Request, scenario_id: str, session: SessionDep,
                 user: User) -> Response:
    require(user, DECIDE_ROLES)
    form = await _form(request, user)
    back = _text(form, "back") or f"/putaran/{scenario_id}/keputusan"
    if not back.startswith("/") or back.startswith("//"):
        back = f"/putaran/{scenario_id}/keputusan"
    action = _text(form, "action")
    reason = _text(form, "reason")
    if action == "approve" and not reason:
        reason = "disetujui"
    if action not in ("approve", "reject") or not reason:
        return message_page(request, user, 422, "Keputusan tidak dicatat",
                            ["Penolakan harus disertai alasan."], back=back)
    try:
        services.record_decision(session, request.app.state.settings, scenario_id,
                                 user.principal, action=action,
                                 nip=_text(form, "nip"), position=_text(form, "position"),
                                 reason=reason[:4000], by=_text(form, "by")[:200] or None,
                                 job_id=_text(form, "job_id") or None)
    except HTTPException as exc:
        return message_page(request, user, exc.status_code, "Keputusan tidak dicatat",
                            _detail(exc), back=back)
    return see(back)


@router.get("/putaran/{scenario_id}/keputusan", response_class=HTMLResponse)
def decisions_page(request: Request, scenario_id: str, session: SessionDep,
                   user: User) -> HTMLResponse:
    record = _record(session, scenario_id)
    entries, problems = services.audit_log(record)
    job = latest_done_job(session, scenario_id)
    plan = None
    if job is not None:
        stored = session.get(PlanDocument, job.id)
        plan = views.find(stored.document, 1) if stored is not None else None
    rnd = _rounds(request).get(record)
    return render(request, "decisions.html", user, record=record, entries=entries,
                  problems=problems, job=job, rnd=rnd,
                  conflicts=views.decision_conflicts(plan, entries))


# --------------------------------------------------------------------------- downloads


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return attachment(content, filename, media_type)


@router.get("/putaran/{scenario_id}/log-audit.jsonl")
def audit_download(scenario_id: str, session: SessionDep, user: User) -> Response:
    record = _record(session, scenario_id)
    return _attachment(services.audit_log_bytes(record), "application/x-ndjson",
                       "decisions.log.jsonl")


@router.get("/putaran/{scenario_id}/log-audit.xlsx")
def audit_workbook(request: Request, scenario_id: str, session: SessionDep,
                   user: User) -> Response:
    record = _record(session, scenario_id)
    entries, problems = services.audit_log(record)
    rnd = _rounds(request).get(record)
    verdict = ("Rantai log audit RUSAK: " + "; ".join(problems) if problems else
               f"Rantai log audit utuh: {len(entries)} entri, setiap entri memuat hash "
               "entri sebelumnya (periksa dengan log-audit.jsonl).")
    content = audit_xlsx(f"Log audit keputusan Baperjakat — {rnd.scenario.name}", entries,
                         rnd.name, {pid: rnd.post(pid) for pid in rnd.title},
                         ACTION_LABELS, verdict)
    return _attachment(content, XLSX_MEDIA_TYPE, "log-audit-keputusan.xlsx")


@router.get("/tugas/{job_id}/rencana/{rank}/lampiran-sk.xlsx")
def annex_download(request: Request, job_id: str, rank: int, session: SessionDep,
                   user: User) -> Response:
    ctx = _plan_context(request, session, job_id, rank)
    rnd = ctx["rnd"]
    title = f"Lampiran Keputusan — {rnd.scenario.name} — rencana {rank}"
    note = ("DRAF lampiran keputusan dari rencana peringkat "
            f"{rank}; belum ditetapkan. Kolom: {', '.join(ANNEX_HEADER)}.")
    content = annex_xlsx(title, views.annex_rows(rnd, ctx["plan"]), note)
    return _attachment(content, XLSX_MEDIA_TYPE, f"lampiran-sk-rencana-{rank}.xlsx")


@router.get("/tugas/{job_id}/review.html")
def review_download(request: Request, job_id: str, session: SessionDep,
                    user: User) -> Response:
    ctx = _plan_context(request, session, job_id, 1)
    page = render_html(ctx["doc"], ctx["rnd"].scenario, ctx["rnd"].problem)
    return _attachment(page.encode("utf-8"), "text/html; charset=utf-8", "review.html")


@router.get("/tugas/{job_id}/plans.json")
def plans_download(request: Request, job_id: str, session: SessionDep,
                   user: User) -> Response:
    ctx = _plan_context(request, session, job_id, 1)
    body = json.dumps(ctx["doc"], indent=2, ensure_ascii=False) + "\n"
    return _attachment(body.encode("utf-8"), "application/json", "plans.json")


def query(**values: Any) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "", False)})


TEMPLATES.env.globals["query"] = query
__all__ = ["router", "NotSignedIn"]
