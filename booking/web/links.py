"""Absolute links put in messages, built from PUBLIC_BASE_URL (works outside a request too)."""

from flask import current_app


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def claim_url(token: str) -> str:
    return f"{base_url()}/waiting-list/claim/{token}"
