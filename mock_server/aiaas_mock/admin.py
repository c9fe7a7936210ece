"""Administration of a running mock server from Python: tenants, keys, models."""

from __future__ import annotations

from collections.abc import Iterable

from aiaas.types import Model

from .store import Store
from .store.tenants import ALL_SCOPES, IssuedKey, Tenant


class Admin:
    """What an operator of the service would do, for tests and scripts."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create_tenant(self, name: str) -> Tenant:
        return self._store.tenants.create(name)

    def get_or_create_tenant(self, name: str) -> Tenant:
        return self._store.tenants.get_or_create(name)

    def issue_key(self, tenant_id: str, scopes: Iterable[str] = ALL_SCOPES) -> IssuedKey:
        """A new API key; its secret exists only in the returned object."""
        return self._store.tenants.issue_key(tenant_id, scopes)

    def revoke_key(self, key_id: str) -> bool:
        return self._store.tenants.revoke_key(key_id)

    def add_model(self, card: Model, tenant_id: str) -> None:
        """Publish a tenant-owned model card, as a finished training job does."""
        self._store.models.put(card.model_copy(update={"owner": tenant_id}), tenant_id)

    def prediction_count(self, tenant_id: str) -> int:
        """How many predict calls the tenant has made."""
        return self._store.predictions.count(tenant_id)
