"""Dependency aliases the routes share, defined once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from ..services import Services, get_services
from .auth import Principal, require_scope

ServicesDep = Annotated[Services, Depends(get_services)]
ModelReader = Annotated[Principal, Depends(require_scope("models:read"))]
"""The caller, who may read model cards."""
Inferrer = Annotated[Principal, Depends(require_scope("inference"))]
"""The caller, who may run models."""
ModelId = Annotated[str, Path(min_length=1, max_length=128)]
