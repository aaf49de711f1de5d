"""The FastAPI application factory: ``create_app(settings)`` builds everything; nothing happens at import."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from msinfusion import __version__
from msinfusion.db.database import Database, session_info
from msinfusion.jobs.in_process import InProcessRunner, run_periodically
from msinfusion.jobs.runners import make_runner
from msinfusion.passwords import make_hasher
from msinfusion.settings import Settings, check_production, load_settings
from msinfusion.web import problems, request_size
from msinfusion.web.csrf import PreSessionMiddleware
from msinfusion.web.headers import SecurityHeadersMiddleware
from msinfusion.web.idempotency import IdempotencyMiddleware
from msinfusion.web.pages import STATIC_DIR, make_templates, untranslated
from msinfusion.web.proxy import TrustedProxyMiddleware
from msinfusion.web.routes import auth, home, language, mail_links, mfa, password_links
from msinfusion.web.routes.api import catalog as api_catalog
from msinfusion.web.routes.api import meta as api_meta
from msinfusion.web.routes.api import patient as api_patient
from msinfusion.web.routes.api import patients as api_patients
from msinfusion.web.routes.api import schedule as api_schedule
from msinfusion.web.routes.patient import calendar as patient_calendar
from msinfusion.web.routes.patient import card as patient_card
from msinfusion.web.routes.patient import change_requests as patient_change_requests
from msinfusion.web.routes.patient import feeds as patient_feeds
from msinfusion.web.routes.patient import plan as patient_plan
from msinfusion.web.routes.patient import reminders as patient_reminders
from msinfusion.web.routes.staff import board as staff_board
from msinfusion.web.routes.staff import board_alternatives as staff_board_alternatives
from msinfusion.web.routes.staff import board_replan as staff_board_replan
from msinfusion.web.routes.staff import booking_center as staff_booking_center
from msinfusion.web.routes.staff import booking_runs as staff_booking_runs
from msinfusion.web.routes.staff import bookings as staff_bookings
from msinfusion.web.routes.staff import catalog as staff_catalog
from msinfusion.web.routes.staff import change_requests as staff_change_requests
from msinfusion.web.routes.staff import messages as staff_messages
from msinfusion.web.routes.staff import patients as staff_patients
from msinfusion.web.routes.staff import schedule as staff_schedule
from msinfusion.web.routes.staff import users as staff_users
from msinfusion.web.routes.staff import what_if as staff_what_if


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = _utc_now) -> FastAPI:
    """Build the web app on the database named by ``settings`` (already migrated).

    Without settings it reads them from the environment, so ``uvicorn --factory
    msinfusion.web.app:create_app`` (what ``msinfusion serve`` runs) builds the same app in the server.
    In production it refuses to start with the default secret, debug on, or neither TLS nor a trusted
    TLS proxy (:func:`msinfusion.settings.check_production` raises ``UnsafeSettings``).
    """
    settings = settings or load_settings()
    check_production(settings)
    database = Database.connect(settings.database_url, session_info(settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Periodic work on the embedded default (reminders and notices, upkeep): the app does it itself;
        # on PostgreSQL `msinfusion worker` does (issues 10 and 12).
        periodic = (
            asyncio.create_task(run_periodically(database, settings, clock))
            if settings.sends_in_process or settings.runs_jobs_in_process
            else None
        )
        if isinstance(runner, InProcessRunner):  # runs a previous process queued and never solved
            await asyncio.to_thread(runner.resume_waiting)
        yield
        if periodic is not None:
            periodic.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await periodic
        runner.shutdown()
        database.dispose()

    app = FastAPI(
        title="msinfusion",
        version=__version__,
        summary="Plans, prepares and schedules IV therapy for people with multiple sclerosis.",
        docs_url=None,  # Swagger UI and ReDoc load assets from a CDN; the schema is at /api/openapi.json
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        debug=settings.debug,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.clock = clock
    app.state.templates = make_templates()
    app.state.templates.env.globals["_"] = untranslated  # patient pages pass their language's own
    app.state.hasher = make_hasher(settings)
    # Optimizer runs solve on the job queue, or in this process's threads on SQLite; never in a request.
    runner = make_runner(database, settings, clock)
    app.state.schedule_runner = runner

    app.add_middleware(IdempotencyMiddleware)  # innermost: it needs the pre-session for the CSRF check
    app.add_middleware(PreSessionMiddleware, settings=settings)
    request_size.install(app, settings.max_request_bytes)  # 413 before any body is read (issue 11)
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    if settings.trusted_proxies:  # outermost: everything inside sees the browser's address and origin
        app.add_middleware(TrustedProxyMiddleware, proxies=settings.trusted_proxies)
    problems.install(app)

    for module in (auth, home, staff_catalog, staff_patients, api_meta, api_catalog, api_patients):
        app.include_router(module.router)
    for module in (patient_plan, patient_card, patient_calendar, patient_feeds, api_patient):  # patient pages (issue 5)
        app.include_router(module.router)
    for module in (staff_schedule, staff_board, api_schedule):  # day schedule and day board (issue 5)
        app.include_router(module.router)
    app.include_router(staff_what_if.router)  # what-if simulation of a day (issue 13)
    for module in (staff_bookings, staff_booking_center, staff_change_requests, patient_change_requests):
        app.include_router(module.router)  # the visit lifecycle (issue 14)
    app.include_router(staff_booking_runs.router)  # regimen booking planned as a job (issue 10)
    app.include_router(staff_board_replan.router)  # add-ons and repairs on the board (issue 13)
    app.include_router(staff_board_alternatives.router)  # an add-on's other ways, confirmed (issue 13)
    for module in (password_links, mfa, staff_users):  # accounts and the second factor (issue 10)
        app.include_router(module.router)
    for module in (
        patient_reminders,
        mail_links,
        staff_messages,
        language,
    ):  # reminders and the links in our e-mails (issue 12)
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
