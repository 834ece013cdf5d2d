"""Routers, one module per resource. Add a resource by including its router here."""

from fastapi import APIRouter

from api.routes import batches, jobs, plans, scenarios, talent

api_router = APIRouter()
api_router.include_router(scenarios.router)
api_router.include_router(jobs.router)
api_router.include_router(batches.router)
api_router.include_router(plans.router)
api_router.include_router(talent.router)
