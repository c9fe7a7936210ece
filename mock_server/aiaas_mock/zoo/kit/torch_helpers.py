"""PyTorch helpers the deep model families share: threads, seeding, a training loop,
batched inference and weight files. torch is imported on first use only,
so the server starts fast and nothing imports it until a deep model is needed.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .scaling import Scaler

__all__ = ["fit", "fit_scaled", "infer", "load_weights", "save_weights", "torch_module"]

if TYPE_CHECKING:
    import torch

_configured = threading.Lock()
_done = False


def torch_module() -> Any:
    """The torch module, with its threads set for a small machine on first use."""
    global _done
    import torch

    with _configured:
        if not _done:
            # Two intra-op threads use both cores of the service's reference machine
            # without oversubscribing it when requests run concurrently.
            torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
            with contextlib.suppress(RuntimeError):  # already set by the host application
                torch.set_num_interop_threads(1)
            _done = True
    return torch


def fit(
    model: torch.nn.Module,
    inputs: NDArray[np.float32],
    targets: NDArray[Any],
    *,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    weight_decay: float = 0.0,
    on_batch: Callable[[], None] | None = None,
    parameter_groups: list[dict[str, Any]] | None = None,
) -> list[float]:
    """Train ``model`` in place with Adam and a cosine schedule; the mean loss per epoch.

    The same seed, data and thread count give the same weights. ``on_batch`` is
    called after every batch: it may raise to stop the training (a cancelled job).
    ``parameter_groups`` (each with its own peak ``lr``) replace the model's
    parameters at ``learning_rate``.
    """
    torch = torch_module()
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(np.ascontiguousarray(inputs))
    y = torch.from_numpy(np.ascontiguousarray(targets))
    groups = parameter_groups or [{"params": list(model.parameters()), "lr": learning_rate}]
    optimizer = torch.optim.Adam(groups, lr=learning_rate, weight_decay=weight_decay)
    steps = epochs * ((len(x) + batch_size - 1) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, [group["lr"] for group in groups], total_steps=steps
    )
    history = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            value = loss(model(x[batch]), y[batch])
            value.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            schedule.step()
            total += float(value.detach()) * len(batch)
            if on_batch is not None:
                on_batch()
        history.append(total / len(x))
    model.eval()
    return history


def fit_scaled(
    build_network: Callable[[], torch.nn.Module],
    inputs: NDArray[np.float64],
    targets: NDArray[np.float32] | None,
    *,
    seed: int,
    epochs: int,
    model: torch.nn.Module | None = None,
    scaler: Scaler | None = None,
    learning_rate: float = 3e-3,
    on_batch: Callable[[], None] | None = None,
) -> tuple[Any, Scaler]:
    """A network fitted by mean squared error on standardised ``inputs``, as the
    sensor families train: batches of 128, a peak learning rate of 3e-3.

    ``targets=None`` trains the network to reconstruct its (scaled) inputs. Pass
    ``model`` and its ``scaler`` to continue training them (fine-tuning); else a
    network is built and the scaler fitted to ``inputs``.
    """
    torch = torch_module()
    torch.manual_seed(seed)  # before building, so the initial weights follow the seed
    scaler = scaler or Scaler.fit(inputs)
    network = model if model is not None else build_network()
    scaled = scaler.apply(inputs)
    fit(
        network,
        scaled,
        scaled if targets is None else targets,
        loss=torch.nn.functional.mse_loss,
        epochs=epochs,
        batch_size=128,
        learning_rate=learning_rate,
        seed=seed,
        on_batch=on_batch,
    )
    return network, scaler


def infer(
    model: torch.nn.Module, inputs: NDArray[np.float32], batch_size: int = 256
) -> NDArray[Any]:
    """The model's outputs for ``inputs``, in batches, without gradients."""
    torch = torch_module()
    model.eval()
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(inputs), batch_size):
            chunk = torch.from_numpy(np.ascontiguousarray(inputs[start : start + batch_size]))
            outputs.append(model(chunk).numpy())
    return np.concatenate(outputs) if outputs else np.empty((0,))


def save_weights(model: torch.nn.Module, path: Path) -> None:
    torch = torch_module()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)


def load_weights(model: torch.nn.Module, path: Path) -> None:
    """Load weights into ``model`` (whose file its entry has checked) for inference."""
    torch = torch_module()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    model.eval()
