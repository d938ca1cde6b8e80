"""Settings for the test suite: the real settings, with cheap hashing.

The data directory is a fresh temporary one, so tests never touch ./var and never
share generated secrets with a developer's instance.
"""

import os
import tempfile

import dj_database_url

os.environ.setdefault("TIPLINE_DATA_DIR", tempfile.mkdtemp(prefix="tipline-test-"))

from tipline.settings import *

# scripts/test-postgres sets this: the same suite then runs on PostgreSQL.
if os.environ.get("TIPLINE_TEST_POSTGRES"):
    DATABASES = {"default": dj_database_url.parse(os.environ["TIPLINE_TEST_POSTGRES"])}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# libsodium's minimum Argon2id cost: the same code path, a thousand times cheaper.
KEY_PASSWORD_OPSLIMIT = 1
KEY_PASSWORD_MEMLIMIT = 8192
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "page-versions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "page-versions",
    },
}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files through the finders; WhiteNoise wants its root to exist.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Tests post forms the moment they load them; the tests of the minimum fill time
# set it themselves.
FORM_MIN_FILL_SECONDS = 0
# No anchor writes (nor their trailing timer threads) from unrelated tests; the
# anchor tests set a sink of their own (tipline/audit/tests/test_anchors.py).
AUDIT_ANCHOR_SINK = "off"
