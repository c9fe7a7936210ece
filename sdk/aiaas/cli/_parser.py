"""The ``aiaas`` command line's grammar (argparse: in the standard library, so the
SDK's command line needs nothing beyond the SDK)."""

from __future__ import annotations

import argparse
import json

__all__ = ["build_parser"]

DESCRIPTION = """\
Call AI models as a service from a terminal: list and show models, predict,
embed, upload datasets, train, follow jobs, run batch predictions and chat.
Credentials and the server come from the same place as the SDK's: AIAAS_API_KEY
(or ~/.aiaas/credentials) and AIAAS_BASE_URL, or --api-key and --base-url.
Answers print as tables; --json prints them as JSON.

exit codes: 0 done, 1 other error, 2 usage, 3 not authenticated or not allowed,
4 not found, 5 invalid request, 6 server unreachable or timed out, 7 rate limit
or quota, 8 a job waited for failed or was cancelled."""


def _parameters(text: str) -> dict[str, object]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("--parameters takes a JSON object")
    return value


def _add_models(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = commands.add_parser("models", help="list or show models")
    sub = models.add_subparsers(dest="action", required=True, metavar="list|show")
    listing = sub.add_parser("list", help="the models you may call")
    listing.add_argument("--task", help="only models of this task")
    show = sub.add_parser("show", help="a model's card: task, metrics, data")
    show.add_argument("model")

    predict = commands.add_parser("predict", help="predict with a model")
    predict.add_argument("model")
    source = predict.add_mutually_exclusive_group()
    source.add_argument(
        "--json",
        dest="json_file",
        metavar="FILE",
        help='inputs as a JSON list, {"inputs": [...]} or JSON lines; - for stdin',
    )
    source.add_argument(
        "--csv", dest="csv_file", metavar="FILE", help="one input per CSV row, keyed by the header"
    )
    predict.add_argument("--parameters", type=_parameters, metavar="JSON",
                         help="the model's parameters, a JSON object")  # fmt: skip

    embed = commands.add_parser("embed", help="embed texts")
    embed.add_argument("model")
    embed.add_argument("texts", nargs="+", metavar="TEXT")


def _add_datasets(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    datasets = commands.add_parser("datasets", help="upload, list, show datasets")
    sub = datasets.add_subparsers(dest="action", required=True, metavar="upload|list|show|rows")
    upload = sub.add_parser(
        "upload", help="upload a CSV, JSONL or Parquet file, or a folder of images"
    )
    upload.add_argument("file")
    upload.add_argument("--name", help="the dataset's name (default: the file's)")
    upload.add_argument("--target", help="the column to predict")
    upload.add_argument("--format", choices=["csv", "jsonl", "parquet"])
    sub.add_parser("list", help="your datasets")
    show = sub.add_parser("show", help="a dataset's profile")
    show.add_argument("dataset")
    rows = sub.add_parser("rows", help="a dataset's first rows")
    rows.add_argument("dataset")
    rows.add_argument("--limit", type=int, default=20)


def _add_jobs(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = commands.add_parser("train", help="start a training job")
    train.add_argument("dataset")
    train.add_argument(
        "--model",
        action="append",
        required=True,
        help="an algorithm or a zoo model to fine-tune; repeat to compare",
    )
    train.add_argument("--target")
    train.add_argument("--hyperparameter", action="append", default=[], metavar="KEY=VALUE")
    train.add_argument("--wait", action="store_true", help="wait, with a progress bar")  # fmt: skip

    jobs = commands.add_parser("jobs", help="training jobs: list, show, events, cancel")
    sub = jobs.add_subparsers(
        dest="action", required=True, metavar="list|show|events|cancel|out-of-fold"
    )
    listing = sub.add_parser("list", help="your training jobs")
    listing.add_argument("--limit", type=int, default=20)
    for name, text in (("show", "a job's state"), ("cancel", "cancel a job")):
        sub.add_parser(name, help=text).add_argument("job")
    events = sub.add_parser("events", help="a job's log")
    events.add_argument("job")
    events.add_argument("--follow", action="store_true", help="until the job ends")
    held_out = sub.add_parser(
        "out-of-fold", help="every training row's answer from the fold that held it out"
    )
    held_out.add_argument("job")
    held_out.add_argument("--limit", type=int, default=20)

    batch = commands.add_parser("batch", help="batch predictions: create, results")
    sub = batch.add_subparsers(dest="action", required=True, metavar="create|results")
    create = sub.add_parser("create", help="predict every row of a dataset")
    create.add_argument("model")
    create.add_argument("dataset")
    create.add_argument("--input-column", help="the column holding each row's input")
    create.add_argument("--wait", action="store_true")
    results = sub.add_parser("results", help="a batch's results")
    results.add_argument("job")
    results.add_argument("--csv", dest="csv_file", metavar="FILE", help="write them all as CSV")
    results.add_argument("--limit", type=int, default=20)

    chat = commands.add_parser("chat", help="chat with a model, answers streamed")
    chat.add_argument("model")
    chat.add_argument("message", nargs="?", help="one message (default: lines from stdin)")
    chat.add_argument("--system", help="a system message first")
    chat.add_argument("--max-tokens", type=int, default=256)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiaas", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
    parser.add_argument("--api-key", help="default: AIAAS_API_KEY or the credentials file")
    parser.add_argument("--base-url", help="default: AIAAS_BASE_URL")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_models(commands)
    _add_datasets(commands)
    _add_jobs(commands)
    return parser
