"""Regenerate the Python modules of grpc_predict_v2.proto.

    python -m venv /tmp/protoc && /tmp/protoc/bin/pip install grpcio-tools==1.74.0
    /tmp/protoc/bin/python sdk/aiaas/oip/_proto/regenerate.py

grpcio-tools 1.74.0 writes protobuf 6.31 code, which runs on every protobuf
from 6.31.1 on (the ``grpc`` extra's floor) and on grpcio from 1.74.0 on.

The messages are registered in a descriptor pool of their own, not in
protobuf's default pool: tritonclient, MLServer and KServe register the same
``inference.*`` names there, and one process may well import one of them and
this client (a name registered twice in one pool is an error).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SDK = HERE.parents[2]
PROTO = "aiaas/oip/_proto/grpc_predict_v2.proto"


def main() -> None:
    subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{SDK}",
            f"--python_out={SDK}",
            f"--grpc_python_out={SDK}",
            f"--pyi_out={SDK}",
            PROTO,
        ],
        check=True,
    )
    messages = HERE / "grpc_predict_v2_pb2.py"
    text = messages.read_text()
    text, count = re.subn(
        r"_descriptor_pool\.Default\(\)\.AddSerializedFile",
        "POOL.AddSerializedFile",
        text,
    )
    if count != 1:
        raise SystemExit("the generated module no longer registers its file as expected")
    text = text.replace(
        "_sym_db = _symbol_database.Default()",
        "_sym_db = _symbol_database.Default()\n\n"
        "POOL = _descriptor_pool.DescriptorPool()\n"
        '"""This module\'s own pool: see regenerate.py."""',
    )
    messages.write_text("# ruff: noqa\n# mypy: ignore-errors\n" + text)
    stubs = HERE / "grpc_predict_v2_pb2_grpc.py"
    stubs.write_text("# ruff: noqa\n# mypy: ignore-errors\n" + stubs.read_text())


if __name__ == "__main__":
    main()
