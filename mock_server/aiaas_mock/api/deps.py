"""Dependency aliases the routes share, defined once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ..services import Services, get_services
from .auth import Principal, require_scope


async def _services(request: Request) -> Services:
    # Async so that FastAPI does not hand a dictionary lookup to the thread pool.
    return get_services(request)


ServicesDep = Annotated[Services, Depends(_services)]
ModelReader = Annotated[Principal, Depends(require_scope("models:read"))]
"""The caller, who may read model cards."""
Inferrer = Annotated[Principal, Depends(require_scope("inference"))]
"""The caller, who may run models."""
ModelId = Annotated[str, Path(min_length=1, max_length=128)]
DatasetReader = Annotated[Principal, Depends(require_scope("datasets:read"))]
"""The caller, who may read its tenant's datasets."""
DatasetWriter = Annotated[Principal, Depends(require_scope("datasets:write"))]
"""The caller, who may upload and delete its tenant's datasets."""
Trainer = Annotated[Principal, Depends(require_scope("training"))]
"""The caller, who may train models and follow its tenant's training jobs."""
ResourceId = Annotated[str, Path(min_length=1, max_length=64)]
"""The id of a dataset or a job."""
