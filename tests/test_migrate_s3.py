"""SRC and DEST in S3 buckets (s3fs), against moto's S3 server on 127.0.0.1.

The server is started and stopped by the module; the commands find it, as a user
finds MinIO or another S3-compatible store, through ``FSSPEC_S3_ENDPOINT_URL``
and the usual AWS variables. The outputs and the report are those of a run on
local directories, with both engines; a second run redoes nothing.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, plain_env, run_postconv

s3fs = pytest.importorskip("s3fs", reason="s3fs is not installed: pip install -e '.[test]'")
pytest.importorskip("moto", reason="moto[server] is not installed: pip install -e '.[test]'")
pytest.importorskip("distributed", reason="the dask extra is not installed")

pytestmark = pytest.mark.xdist_group("dask")

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's standalone S3 server on 127.0.0.1, for the module's tests."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def store(endpoint: str) -> s3fs.S3FileSystem:
    """Bucket ``src`` holding the corpus (and an archive of part of it), bucket ``dst``."""
    fs = s3fs.S3FileSystem(
        endpoint_url=endpoint,
        key=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        secret=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        skip_instance_cache=True,
    )
    fs.mkdir("src")
    fs.mkdir("dst")
    fs.put(f"{CORPUS}/", "src/posts/", recursive=True)
    return fs


def env_for(endpoint: str) -> dict[str, str]:
    return plain_env(FSSPEC_S3_ENDPOINT_URL=endpoint, **CREDENTIALS)


def migrate(src: str | Path, dest: str | Path, report: Path, env: dict[str, str], *args: str):
    done = run_postconv("migrate", src, dest, "-q", "--report", report, *args, env=env, timeout=240)
    assert done.returncode in (0, 1), done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
    return done


def report(path: Path, dest: str) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        del record["seconds"]
        if record["output"] is not None:
            record["output"] = record["output"].replace(dest, "DEST", 1)
        lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
    return sorted(lines)


def local_tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and path.name != ".postconv-manifest.jsonl"
    }


def bucket_tree(fs: s3fs.S3FileSystem, prefix: str) -> dict[str, bytes]:
    fs.invalidate_cache()
    return {
        name[len(prefix) + 1 :]: fs.cat_file(name)
        for name in fs.find(prefix)
        if not name.endswith(".postconv-manifest.jsonl")
    }


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_buckets_in_and_out_give_the_outputs_of_a_local_run(
    store: s3fs.S3FileSystem, endpoint: str, engine: str, tmp_path: Path
) -> None:
    env = env_for(endpoint)
    migrate(CORPUS, tmp_path / "local", tmp_path / "local.jsonl", env, "-j", "2")
    dest = f"s3://dst/{engine}"
    args = ("-j", "2", "--engine", engine)
    done = migrate("s3://src/posts", dest, tmp_path / "s3.jsonl", env, *args)

    assert done.returncode == 0
    assert bucket_tree(store, f"dst/{engine}") == local_tree(tmp_path / "local")
    expected = report(tmp_path / "local.jsonl", str(tmp_path / "local"))
    assert report(tmp_path / "s3.jsonl", dest) == expected
    assert store.exists(f"dst/{engine}/.postconv-manifest.jsonl")

    # resume: the same command again finds every output up to date
    migrate("s3://src/posts", dest, tmp_path / "again.jsonl", env, *args)
    statuses = {json.loads(line)["status"] for line in (tmp_path / "again.jsonl").open()}
    errors = {json.loads(line)["error"] for line in (tmp_path / "again.jsonl").open()}
    assert statuses == {"skipped"}
    assert errors == {"up to date"}


def test_a_second_run_into_a_bucket_lists_dest_once_and_asks_nothing_per_post(
    store: s3fs.S3FileSystem, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resume judges the outputs from one listing of DEST, not one HEAD request each:
    every S3 call s3fs makes in this process (the local engine, -j 1) is counted."""
    import fsspec

    from postconv.migrate.batch import Settings
    from postconv.migrate.batch import migrate as run_migration

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(fsspec.config.conf, "s3", {"client_kwargs": {"endpoint_url": endpoint}})
    calls: Counter[str] = Counter()
    call_s3 = s3fs.S3FileSystem._call_s3

    async def counted(self: s3fs.S3FileSystem, method: str, *args: object, **kwargs: object):
        calls[method] += 1
        return await call_s3(self, method, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "_call_s3", counted)
    dest = "s3://dst/requests"
    first = run_migration("s3://src/posts", dest, Settings(jobs=1))
    posts = first.counts["converted"] + first.counts["unchanged"]
    calls.clear()
    again = run_migration("s3://src/posts", dest, Settings(jobs=1))

    assert posts > 200 and again.counts["skipped"] == again.total == first.total
    assert calls["head_object"] <= 2  # DEST and its manifest, not each output
    assert calls["list_objects_v2"] < 60  # SRC's directories, and DEST once
    assert sum(calls.values()) < posts / 4, calls


def test_an_archive_in_a_bucket_is_read_as_a_local_one(
    store: s3fs.S3FileSystem, endpoint: str, tmp_path: Path
) -> None:
    archive = tmp_path / "blogs.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(CORPUS / "blogs", arcname="blogs")
    store.put(str(archive), "src/blogs.tar.gz")
    env = env_for(endpoint)
    migrate(archive, tmp_path / "local", tmp_path / "local.jsonl", env, "-j", "1")
    migrate("s3://src/blogs.tar.gz", "s3://dst/tar", tmp_path / "s3.jsonl", env, "-j", "1")

    assert bucket_tree(store, "dst/tar") == local_tree(tmp_path / "local")
    expected = report(tmp_path / "local.jsonl", str(tmp_path / "local"))
    assert report(tmp_path / "s3.jsonl", "s3://dst/tar") == expected


def test_a_missing_bucket_or_source_is_one_line(endpoint: str, tmp_path: Path) -> None:
    env = env_for(endpoint)
    done = run_postconv("migrate", CORPUS, "s3://no-such-bucket/out", env=env)
    assert done.returncode == 2
    expected = "postconv migrate: error: s3://no-such-bucket/out: no such bucket\n"
    assert done.stderr.decode() == expected
    done = run_postconv("migrate", "s3://src/nothing-here", tmp_path / "out", env=env)
    assert done.returncode == 2
    expected = "postconv migrate: error: s3://src/nothing-here: no such file or directory\n"
    assert done.stderr.decode() == expected
