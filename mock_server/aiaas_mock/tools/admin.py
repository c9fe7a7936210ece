"""Administration of a running mock server from Python: tenants, keys, models."""

from __future__ import annotations

from collections.abc import Iterable

from aiaas.types import Model

from ..config import TenantQuotas
from ..encryption.keys import KeyStore
from ..services import Services
from ..store import Store
from ..store.oauth import IssuedClient
from ..store.tenants import ALL_SCOPES, IssuedKey, Tenant

DEV_TENANT = "dev"
_DEV_KEY_SETTING = "dev_key_id"


class Admin:
    """What an operator of the service would do, for tests and scripts."""

    def __init__(self, store: Store, keys: KeyStore) -> None:
        self._store = store
        self._keys = keys

    @classmethod
    def of(cls, services: Services) -> Admin:
        """The administration of a running app."""
        return cls(services.store, services.keys)

    def create_tenant(self, name: str) -> Tenant:
        return self._store.tenants.create(name)

    def tenant(self, id_or_name: str) -> Tenant:
        """A tenant by id or name; ``LookupError`` if there is none."""
        tenant = self._store.tenants.find(id_or_name)
        if tenant is None:
            raise LookupError(f"no tenant {id_or_name!r}")
        return tenant

    def tenants(self) -> list[Tenant]:
        return self._store.tenants.all()

    def get_or_create_tenant(self, name: str) -> Tenant:
        return self._store.tenants.get_or_create(name)

    def issue_key(self, tenant_id: str, scopes: Iterable[str] = ALL_SCOPES) -> IssuedKey:
        """A new API key; its secret exists only in the returned object."""
        return self._store.tenants.issue_key(tenant_id, scopes)

    def revoke_key(self, key_id: str) -> bool:
        return self._store.tenants.revoke_key(key_id)

    def rotate_dev_key(self) -> IssuedKey:
        """A new all-scope key of the development tenant; the one the previous start
        of a server on this database made is revoked, so starts leave one live key."""
        tenant = self.get_or_create_tenant(DEV_TENANT)
        key = self.issue_key(tenant.id, ALL_SCOPES)
        previous = self._store.db.replace_setting(_DEV_KEY_SETTING, key.id.encode())
        if previous is not None:
            self.revoke_key(previous.decode())
        return key

    def set_quotas(self, tenant_id: str, **values: int) -> TenantQuotas:
        """Set some of a tenant's quotas (the rest follow the server's default)."""
        return self._store.quotas.set(self.tenant(tenant_id).id, **values)

    def quotas(self, tenant_id: str) -> TenantQuotas:
        return self._store.quotas.of(self.tenant(tenant_id).id)

    def require_encryption(self, tenant_id: str, required: bool = True) -> None:
        """Make the tenant's plaintext request bodies a 400 ``encryption_required``."""
        self._store.settings.set_requires_encryption(tenant_id, required)

    def rotate_encryption_keys(self, overlap: float | None = None) -> list[str]:
        """New server keys for every suite; the old ones stay usable for ``overlap``
        seconds (default: the configured overlap). Returns the new key ids.
        """
        keys = self._keys.rotate(overlap)
        newest: dict[str, str] = {}
        for key in keys:
            newest.setdefault(key.pair.suite.name, key.kid)
        return list(newest.values())

    def create_client(self, tenant_id: str, scopes: Iterable[str] = ALL_SCOPES) -> IssuedClient:
        """A new OAuth client; its secret exists only in the returned object."""
        return self._store.oauth.create_client(tenant_id, scopes)

    def revoke_client(self, client_id: str) -> bool:
        """Revoke an OAuth client and every access token it holds, at once."""
        return self._store.oauth.revoke_client(client_id)

    def expire_tokens(self, client_id: str) -> int:
        """End a client's access tokens now, as if their lifetime had run out."""
        return self._store.oauth.expire_tokens(client_id)

    def tokens_issued(self, client_id: str) -> int:
        """How many access tokens the client has been given."""
        return self._store.oauth.tokens_issued(client_id)

    def add_model(self, card: Model, tenant_id: str) -> None:
        """Publish a tenant-owned model card, as a finished training job does."""
        self._store.models.put(card.model_copy(update={"owner": tenant_id}), tenant_id)

    def prediction_count(self, tenant_id: str) -> int:
        """How many predict calls the tenant has made."""
        return self._store.predictions.count(tenant_id)
