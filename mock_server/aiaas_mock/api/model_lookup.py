"""Finding the model a request names: one lookup for its card, its spec and,
when asked for, the loaded model."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from aiaas.types import Model

from ..services import Services
from ..zoo.model_spec import LoadedModel, ModelSpec
from ..zoo.shipped_weights import WeightsIntegrityError
from .auth import Principal
from .problems import ProblemError

logger = logging.getLogger("aiaas_mock")


@dataclass(frozen=True)
class ServedModel:
    """A model the caller may use: its card and spec, and how to load it."""

    card: Model
    spec: ModelSpec
    loader: Callable[[], LoadedModel]

    def load(self) -> LoadedModel:
        """The model ready to answer; 503 ``model_unavailable`` if its weights are bad.

        Routes call this after validating the inputs, so a malformed call never
        waits for (or fails on) the weights.
        """
        try:
            return self.loader()
        except WeightsIntegrityError:
            logger.exception("Model %s could not be loaded", self.card.id)
            raise ProblemError(
                503, "model_unavailable", f"Model '{self.card.id}' cannot be loaded on this server."
            ) from None


def visible_card(services: Services, model_id: str, principal: Principal) -> Model:
    """The card of a model the caller may see; 404 otherwise."""
    card = services.store.models.get(model_id, principal.tenant_id)
    if card is None:
        raise ProblemError(
            404, "not_found", f"No model '{model_id}'.{_near(services, model_id, principal)}"
        )
    return card


def _near(services: Services, model_id: str, principal: Principal) -> str:
    """A hint naming the caller's models closest to a mistyped id (never another
    tenant's: only ids the caller may see are compared)."""
    close = difflib.get_close_matches(
        model_id, services.store.models.visible_ids(principal.tenant_id), n=3, cutoff=0.6
    )
    if close:
        return (
            f" Did you mean {' or '.join(repr(c) for c in close)}? GET /v1/models lists them all."
        )
    return " GET /v1/models lists the models you may use."


def resolve(services: Services, model_id: str, principal: Principal) -> ServedModel:
    """The model ``model_id`` as ``principal`` may use it: 404 if they may not see
    it, 409 ``model_not_ready`` if nothing on this server can run it."""
    card = visible_card(services, model_id, principal)
    models = services.models
    entry = models.entry(model_id)
    if entry is not None:
        return ServedModel(card, entry.spec, lambda: models.system(model_id))
    stored = services.store.models.artifact(model_id)
    if stored is None:
        raise ProblemError(409, "model_not_ready", f"Model '{model_id}' cannot serve predictions.")
    loaded = models.tenant(card, stored[1])
    return ServedModel(card, loaded.spec, lambda: loaded)
