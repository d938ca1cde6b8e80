"""Evidence in S3-compatible object storage: a real SeaweedFS server on 127.0.0.1."""

import io
import re
from datetime import timedelta

import pytest
import requests
from botocore.exceptions import ClientError
from django.core.files.storage import default_storage

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens
from tipline.cases import evidence
from tipline.intake.tests.samples import SERIAL, gps_jpeg


def bucket_objects(server, bucket):
    listing = server.client().list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_evidence_goes_to_the_bucket_as_ciphertext_and_comes_back_scrubbed(
    tmp_path, s3_server, s3_bucket, live_database
):
    live = liveserver.prepare(
        tmp_path,
        TIPLINE_PASSWORD=PASSWORD,
        **s3_server.settings(s3_bucket),
        **live_database,
    )
    live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
    with liveserver.running(live):
        reporter = requests.Session()
        html = reporter.get(live.url + "/report/approach/").text
        sent = reporter.post(
            live.url + "/report/approach/",
            data={
                **form_tokens(html),
                "what_happened": "Photo of the fence",
                "keep_originals": "yes",
            },
            files={"files": ("fence.jpg", gps_jpeg(), "image/jpeg")},
        )
        assert sent.status_code == 200, live.logs()[-4000:]

        keys = bucket_objects(s3_server, s3_bucket)
        assert len(keys) == 2  # the scrubbed copy and the sealed original
        for key in keys:
            body = s3_server.client().get_object(Bucket=s3_bucket, Key=key)["Body"]
            data = body.read()
            assert SERIAL.encode() not in data
            assert b"\xff\xd8\xff" not in data[:16]
        assert not (live.data_dir / "files").exists()

        staff = requests.Session()
        html = staff.get(live.url + "/staff/login/").text
        inbox = staff.post(
            live.url + "/staff/login/",
            data={**form_tokens(html), "username": "analyst", "password": PASSWORD},
        )
        case_url = re.search(r'href="(/staff/cases/\d+/)"', inbox.text).group(1)
        page = staff.get(live.url + case_url).text
        file_url = re.search(r'href="(/staff/cases/\d+/files/\d+/)"', page).group(1)
        download = staff.get(live.url + file_url)
        assert download.status_code == 200
        assert download.content[:3] == b"\xff\xd8\xff"
        assert SERIAL.encode() not in download.content


def test_the_server_refuses_wrong_credentials(s3_server, s3_bucket):
    intruder = s3_server.client(aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError):
        intruder.put_object(Bucket=s3_bucket, Key="x", Body=b"x")
    assert bucket_objects(s3_server, s3_bucket) == []


@pytest.mark.django_db
def test_orphan_sweep_works_on_object_storage(s3_server, s3_bucket, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_bucket,
                "endpoint_url": s3_server.endpoint_url,
                "access_key": s3_server.access_key,
                "secret_key": s3_server.secret_key,
                "region_name": "us-east-1",
                "addressing_style": "path",
                "file_overwrite": False,
            },
        },
    }
    name = default_storage.save("evidence/aa/orphan", io.BytesIO(b"ciphertext"))

    assert evidence.sweep_orphans(older_than=timedelta(0)) == 1
    assert not default_storage.exists(name)
