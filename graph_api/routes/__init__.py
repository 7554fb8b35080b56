"""Thin routers: each parses its parameters, calls the service, shapes the response."""

from __future__ import annotations

from fastapi import Request

from vawg_kg.graph_api.service import GraphService


def service_of(request: Request) -> GraphService:
    service: GraphService = request.app.state.service
    return service

