"""What each ``aiaas`` command does with the client: one function per command,
taking the parsed arguments and a :class:`~aiaas.cli._output.Printer`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from itertools import islice
from pathlib import Path

from .._client import Client
from ..types import BatchPrediction, TrainingJob
from ..types.chat import ChatCompletionMessageParam
from ._inputs import csv_inputs, json_inputs, settings
from ._output import Printer

__all__ = ["COMMANDS", "JobFailed"]

Command = Callable[[Client, argparse.Namespace, Printer], None]
MODEL_FIELDS = ("id", "task", "version", "owner", "algorithm", "description", "training_data")
JOB_FIELDS = ("id", "status", "progress", "model", "dataset_id", "target", "result_model_id")


def _numbered_columns(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """``#`` first, then every field the rows have, in the order first seen."""
    return ["#", *dict.fromkeys(key for row in rows for key in row if key != "#")]


class JobFailed(Exception):
    """A job waited for ended failed or cancelled."""


def models_list(client: Client, args: argparse.Namespace, out: Printer) -> None:
    cards = list(client.models.list(task=args.task))
    rows = [card.model_dump(mode="json") for card in cards]
    out.table(rows, ["id", "task", "version", "owner"])


def models_show(client: Client, args: argparse.Namespace, out: Printer) -> None:
    out.record(client.models.retrieve(args.model), [*MODEL_FIELDS, "metrics", "references"])


def predict(client: Client, args: argparse.Namespace, out: Printer) -> None:
    if args.json_file is not None:
        inputs = json_inputs(args.json_file)
    elif args.csv_file is not None:
        inputs = csv_inputs(args.csv_file)
    else:
        inputs = json_inputs("-")
    prediction = client.models.predict(args.model, inputs=inputs, parameters=args.parameters)
    if out.as_json:
        out.json(prediction)
        return
    rows = [{"#": index, **output} for index, output in enumerate(prediction.outputs)]
    out.table(rows, _numbered_columns(rows))


def embed(client: Client, args: argparse.Namespace, out: Printer) -> None:
    answer = client.embeddings.create(model=args.model, input=args.texts)
    if out.as_json:
        out.json(answer)
        return
    rows = [
        {"text": text, "dimensions": len(item.embedding), "first values": item.embedding[:4]}
        for text, item in zip(args.texts, answer.data, strict=True)
    ]
    out.table(rows, ["text", "dimensions", "first values"])


def datasets_upload(client: Client, args: argparse.Namespace, out: Printer) -> None:
    path = Path(args.file)
    dataset = client.datasets.create(
        file=path, name=args.name or path.stem, format=args.format, target=args.target
    )
    out.record(dataset, ["id", "name", "rows", "format", "target"])


def datasets_list(client: Client, args: argparse.Namespace, out: Printer) -> None:
    rows = [d.model_dump(mode="json") for d in client.datasets.list()]
    out.table(rows, ["id", "name", "rows", "format", "target"])


def datasets_show(client: Client, args: argparse.Namespace, out: Printer) -> None:
    dataset = client.datasets.retrieve(args.dataset)
    out.record(dataset, ["id", "name", "rows", "format", "target"])
    if not out.as_json:
        columns = [
            {"column": c.name, "type": c.type, "missing": c.missing} for c in dataset.columns
        ]
        out.table(columns, ["column", "type", "missing"])


def datasets_rows(client: Client, args: argparse.Namespace, out: Printer) -> None:
    page = client.datasets.rows(args.dataset, limit=min(args.limit, 1000))
    rows = [{"#": row.index, **row.values} for row in islice(page, args.limit)]
    out.table(rows, _numbered_columns(rows))


def _finished(job: TrainingJob | BatchPrediction) -> None:
    if job.status != "succeeded":
        message = job.error.message if job.error is not None else job.status
        raise JobFailed(f"job {job.id} {job.status}: {message}")


def train(client: Client, args: argparse.Namespace, out: Printer) -> None:
    model = args.model[0] if len(args.model) == 1 else args.model
    job = client.training_jobs.create(
        model=model,
        dataset_id=args.dataset,
        target=args.target,
        hyperparameters=settings(args.hyperparameter, "--hyperparameter") or None,
    )
    if args.wait:
        job = client.training_jobs.wait(job.id)
    out.record(job, [*JOB_FIELDS, "metrics"])
    if args.wait:
        _finished(job)


def jobs_list(client: Client, args: argparse.Namespace, out: Printer) -> None:
    rows = [j.model_dump(mode="json") for j in islice(client.training_jobs.list(), args.limit)]
    out.table(rows, ["id", "status", "progress", "model", "dataset_id", "result_model_id"])


def jobs_show(client: Client, args: argparse.Namespace, out: Printer) -> None:
    out.record(client.training_jobs.retrieve(args.job), [*JOB_FIELDS, "metrics"])


def jobs_events(client: Client, args: argparse.Namespace, out: Printer) -> None:
    if args.follow:
        with client.training_jobs.events(args.job, follow=True) as stream:
            for event in stream:
                if out.as_json:
                    out.text(event.model_dump_json())
                else:
                    out.text(f"{event.seq:>4}  {event.type:<10} {event.message}")
        return
    rows = [e.model_dump(mode="json") for e in client.training_jobs.events(args.job)]
    out.table(rows, ["seq", "type", "message"])


def jobs_out_of_fold(client: Client, args: argparse.Namespace, out: Printer) -> None:
    answers = islice(client.training_jobs.out_of_fold(args.job, limit=1000), args.limit)
    rows = [answer.model_dump(mode="json", exclude_none=True) for answer in answers]
    out.table(rows, ["index", "truth", "predicted", "probabilities"])


def jobs_cancel(client: Client, args: argparse.Namespace, out: Printer) -> None:
    out.record(client.training_jobs.cancel(args.job), JOB_FIELDS)


def batch_create(client: Client, args: argparse.Namespace, out: Printer) -> None:
    job = client.batch_predictions.create(
        model=args.model, dataset_id=args.dataset, input_column=args.input_column
    )
    if args.wait:
        job = client.batch_predictions.wait(job.id)
    out.record(job, ["id", "status", "progress", "model", "dataset_id"])
    if args.wait:
        _finished(job)


def batch_results(client: Client, args: argparse.Namespace, out: Printer) -> None:
    if args.csv_file is not None:
        path = client.batch_predictions.download_results(args.job, args.csv_file, format="csv")
        out.text(f"wrote {path}")
        return
    results = islice(client.batch_predictions.results(args.job), args.limit)
    rows = [
        {"#": r.index, **(r.output or {}), "error": r.error.message if r.error else None}
        for r in results
    ]
    out.table(rows, _numbered_columns(rows))


def chat(client: Client, args: argparse.Namespace, out: Printer) -> None:
    """One answer to ``MESSAGE``; without one, a conversation read from standard
    input a line at a time."""
    conversation: list[ChatCompletionMessageParam] = []
    if args.system:
        conversation.append({"role": "system", "content": args.system})
    lines = [args.message] if args.message else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        if not line.strip():
            continue
        conversation.append({"role": "user", "content": line})
        answer = []
        stream = client.chat.completions.create(
            model=args.model, messages=conversation, stream=True,
            max_completion_tokens=args.max_tokens,
        )  # fmt: skip
        with stream:
            for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta.content:
                        answer.append(choice.delta.content)
                        out.out.write(choice.delta.content)
                        out.out.flush()
        out.text("")
        conversation.append({"role": "assistant", "content": "".join(answer)})


COMMANDS: dict[str, Command] = {
    "models list": models_list,
    "models show": models_show,
    "predict": predict,
    "embed": embed,
    "datasets upload": datasets_upload,
    "datasets list": datasets_list,
    "datasets show": datasets_show,
    "datasets rows": datasets_rows,
    "train": train,
    "jobs list": jobs_list,
    "jobs show": jobs_show,
    "jobs events": jobs_events,
    "jobs cancel": jobs_cancel,
    "jobs out-of-fold": jobs_out_of_fold,
    "batch create": batch_create,
    "batch results": batch_results,
    "chat": chat,
}
