"""Where attachment bytes live: outside the case state and the database.

`ATTACHMENT_STORE` is a directory path (the default, `<instance path>/attachments`) or
`s3://bucket/prefix` for S3-compatible storage (`pip install 'govit-bpm[s3]'`; endpoint from
`S3_ENDPOINT_URL`, credentials the usual AWS way). Keys are derived from the attachment's
random id, so one upload never overwrites another, and a file is never rewritten in place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any, Protocol

from ..errors import StoreUnavailable

CHUNK = 1024 * 1024


class AttachmentStore(Protocol):
    def put(self, key: str, source: IO[bytes]) -> None:
        """Store the bytes of `source` (read from its current position) under `key`."""

    def open(self, key: str) -> IO[bytes]:
        """A readable binary stream of what is stored under `key` (FileNotFoundError if none)."""

    def delete(self, key: str) -> None:
        """Remove `key` if present (used to undo a write whose transaction failed)."""


def key_for(attachment_id: str) -> str:
    # Two-character fan-out keeps directories small on stores with many documents.
    return f"{attachment_id[:2]}/{attachment_id}"


class DirectoryStore:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"attachment key outside the store: {key!r}")
        return path

    def put(self, key: str, source: IO[bytes]) -> None:
        """Temp file in the target folder, fsync, rename: a reader never sees half a file."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> IO[bytes]:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """An S3-compatible bucket (AWS, MinIO, Ceph RGW …); boto3 is imported only when used."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client: Any = None):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        if client is None:
            try:
                import boto3
            except ImportError as exc:  # the optional extra is not installed
                raise StoreUnavailable("附件存储配置为 S3，但未安装 boto3（pip install 'govit-bpm[s3]'）") from exc
            client = boto3.client("s3", endpoint_url=endpoint_url or None)
        self.client = client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    @staticmethod
    def _failures() -> tuple[type[Exception], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return BotoCoreError, ClientError

    def put(self, key: str, source: IO[bytes]) -> None:
        # A single PUT (or multipart upload) becomes visible only when complete.
        try:
            self.client.upload_fileobj(source, self.bucket, self._key(key))
        except self._failures() as exc:
            raise StoreUnavailable(f"附件无法写入对象存储：{exc}") from exc

    def open(self, key: str) -> IO[bytes]:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(key) from exc
        except self._failures() as exc:
            raise StoreUnavailable(f"附件无法从对象存储读取：{exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except self._failures() as exc:
            raise StoreUnavailable(f"附件无法从对象存储删除：{exc}") from exc


def from_setting(setting: str, endpoint_url: str | None = None) -> AttachmentStore:
    """The store named by `ATTACHMENT_STORE`: `s3://bucket/prefix` or a directory path."""
    if setting.startswith("s3://"):
        bucket, _, prefix = setting[len("s3://"):].partition("/")
        if not bucket:
            raise ValueError(f"ATTACHMENT_STORE has no bucket: {setting!r}")
        return S3Store(bucket, prefix, endpoint_url)
    return DirectoryStore(setting)
