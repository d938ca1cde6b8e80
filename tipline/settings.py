"""Django settings for Tipline.

Every value comes from a ``TIPLINE_*`` environment variable with a safe default
(``.env.example`` lists them all). The defaults run a real single-machine deployment
under ``var/`` at the project root: SQLite in WAL mode and local files. With
``TIPLINE_ENV=production`` no secret is generated: a missing one stops startup.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tipline.accounts.escrow import ensure_escrow_keypair
from tipline.lib.env import (
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
TIPLINE_ENV = env_str("ENV", "embedded")
PRODUCTION = TIPLINE_ENV == "production"
# Anchored to the project root (or refused inside the package): never the
# directory a command happens to run in (tipline.lib.env.data_dir).
DATA_DIR = data_dir(BASE_DIR)
SECRETS_DIR = DATA_DIR / "secrets"
_generate = None if PRODUCTION else SECRETS_DIR

SECRET_KEY = env_secret("SECRET_KEY", generate_in=_generate)
# Pepper for receipt derivations (tipline.crypto.receipts). Separate from SECRET_KEY
# so that rotating Django's signing key does not lock reporters out.
RECEIPT_PEPPER = env_secret("RECEIPT_PEPPER", generate_in=_generate)
# Public half of the organisation's escrow key pair (hex). Every staff private key
# is also sealed to it, so an administrator holding the private half (kept offline)
# can restore a user's access after a password reset.
ESCROW_PUBLIC_KEY = env_str("ESCROW_PUBLIC_KEY", "")
if not ESCROW_PUBLIC_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "TIPLINE_ESCROW_PUBLIC_KEY must be set in production"
        )
    ESCROW_PUBLIC_KEY = ensure_escrow_keypair(SECRETS_DIR)

# The organisation's name, printed on certificates and acknowledgements.
ORGANISATION_NAME = env_str("ORGANISATION_NAME", "Tipline")
# Signing keys for certificates and acknowledgements (tipline/rewards/
# certificates_keys.py): an Ed25519 key (hex) behind the verification codes, and an
# X.509 certificate and its key (PEM) for the PDF signature. Left at these
# defaults, they are generated once (0600, a self-signed certificate); `tipline
# check` asks a production instance to configure its own.
SIGNING_KEY_FILE = env_str("SIGNING_KEY_FILE", str(SECRETS_DIR / "signing_key"))
SIGNING_CERT_FILE = env_str("SIGNING_CERT_FILE", str(SECRETS_DIR / "signing_cert.pem"))
SIGNING_CERT_KEY_FILE = env_str(
    "SIGNING_CERT_KEY_FILE", str(SECRETS_DIR / "signing_cert_key.pem")
)
# Font for certificates: one with Chinese and Latin glyphs (a subset is embedded).
CERTIFICATE_FONT = env_str(
    "CERTIFICATE_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
)
# PDFs checked at /verify/ per minute, for the whole site (uploads are costly).
VERIFY_UPLOADS_PER_MINUTE = env_int("VERIFY_UPLOADS_PER_MINUTE", 30)

DEBUG = env_bool("DEBUG", default=False)
HTTPS = env_bool("HTTPS", default=PRODUCTION)
PORT = env_int("PORT", 8000)
BASE_URL = env_str("BASE_URL", f"http://127.0.0.1:{PORT}")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"]
)
DEFAULT_PROFILE = env_str("PROFILE", "national-security")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "tipline.accounts",
    "tipline.profiles",
    "tipline.audit",
    "tipline.intake",
    "tipline.triage",
    "tipline.cases",
    "tipline.rewards",
    "tipline.outreach",
    "tipline.api",
    "tipline.staffsettings",
]

MIDDLEWARE = [
    "tipline.lib.middleware.PrivacyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and auth: a first visit to a public page is served
    # from the cache without them (tipline.lib.pagecache, issue 15 "Speed").
    "tipline.lib.pagecache.SharedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tipline.accounts.timeouts.SessionTimeoutMiddleware",
    "tipline.accounts.two_factor.RequireSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Public pages rendered once (tipline.lib.pagecache): how long a stored page may
# be served, which bounds how stale another process's copy can be after an edit
# with the default per-process cache; 0 turns it off. And what else, besides
# path, language and host, a stored page depends on.
# Pages and cached categories in each process's memory; the page cache's content
# version in a file every process of the machine reads (tipline/lib/pagecache.py),
# so an edit shows at once on all of them. Several machines: point both at one
# shared cache (Redis, Memcached; docs/deployment.md).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "page-versions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "page-versions"),
    },
}
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 30)
PAGE_CACHE_VARIES_ON = ["tipline.intake.flood.proof_bits"]

ROOT_URLCONF = "tipline.urls"
WSGI_APPLICATION = "tipline.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:inbox"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tipline.cases.context_processors.readability_gap",
                "tipline.accounts.context_processors.code_lockouts",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tipline.sqlite3'}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, with writers queued on a lock file instead of
    # sleeping in SQLite's busy handler (tipline/lib/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "tipline.lib.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at
        # the start of a transaction, so concurrent writers queue on busy_timeout
        # instead of failing with "database is locked" mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete: deleted rows (sealed keys of purged cases) are overwritten,
        # not left in free pages of the file (tipline/cases/retention.py).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA secure_delete=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_VALIDATORS = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _VALIDATORS + "UserAttributeSimilarityValidator"},
    {"NAME": _VALIDATORS + "MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": _VALIDATORS + "CommonPasswordValidator"},
    {"NAME": _VALIDATORS + "NumericPasswordValidator"},
]
# Argon2id work factors for staff private keys (tipline.crypto.lock_with_password):
# libsodium's "interactive" level, 64 MiB and 2 passes, about 0.1 s per login here.
KEY_PASSWORD_OPSLIMIT = env_int("KEY_PASSWORD_OPSLIMIT", 2)
KEY_PASSWORD_MEMLIMIT = env_int("KEY_PASSWORD_MEMLIMIT", 64 * 1024 * 1024)
# Password hashes: Argon2id at least as costly as the key lock above, so the hash
# is never the cheaper offline target (tipline/accounts/hashers.py). PBKDF2, Django's
# earlier default, only checks hashes made before: each is rewritten as Argon2id at
# the next sign-in.
PASSWORD_HASHERS = [
    "tipline.accounts.hashers.StaffArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# Sessions live in the database so any web process can serve any user; the
# unlocked private key in them is encrypted under a key held only in a cookie.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_AGE", 8 * 3600)
# A staff session ends after this long without a request, and this long after
# sign-in whatever happens (tipline/accounts/timeouts.py).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = SESSION_COOKIE_AGE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Strict: a link or form on another site must not arrive with a staff member's
# session, so it cannot make their browser act (and write audit events) in their
# name. The cost: a link followed from e-mail or another site shows the sign-in
# page; the session is still there on the next click (docs/security.md).
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = HTTPS
# Under HTTPS the __Host- prefix makes browsers refuse these cookies unless they
# are Secure, for Path=/ and set by this exact host (no Domain), so a sibling
# subdomain or a plain-HTTP response cannot plant or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
# Lax, not Strict: reporters reach the report form from links on other sites, and a
# Strict CSRF cookie would be missing then and replaced by a new one, which breaks
# a form already open in another tab. The session cookie's Strict is what stops
# cross-site requests acting for staff.
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_AGE = None  # browser-session cookie: nothing lingers after the visit
CSRF_FAILURE_VIEW = "tipline.outreach.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer browsers send "Origin: null" on
# form posts, which Django's CSRF check rightly refuses. Nothing leaks elsewhere.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 63072000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=False)
# Preloading commits the whole domain to HTTPS for months and is hard to undo: it is
# the operator's decision (TIPLINE_HSTS_PRELOAD), so Django's reminder is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if HTTPS:
    # Behind a TLS-terminating proxy, which must set this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Bodies over this are refused before a view runs (answers are at most ~20 KB each).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 1024 * 1024)

# Audit anchors (tipline/audit/anchors.py): the chain head, signed with a key the
# database does not hold, written soon after each audited write to a sink outside
# the database: "syslog" (the default in production: ship it to another host),
# "syslog:/socket" or "syslog:HOST:PORT", a file path (append-only, outside the
# data directory), or "off". AUDIT_ANCHORS_FILE is the older name of the setting.
AUDIT_ANCHOR_KEY = env_secret("AUDIT_ANCHOR_KEY", generate_in=_generate)
AUDIT_ANCHOR_SINK = env_str(
    "AUDIT_ANCHOR_SINK",
    env_str(
        "AUDIT_ANCHORS_FILE",
        "syslog" if PRODUCTION else str(DATA_DIR / "audit-anchors.log"),
    ),
)
# Seconds between two anchors from one web process (the newest entry waits at most
# this long to be anchored).
AUDIT_ANCHOR_INTERVAL = env_int("AUDIT_ANCHOR_INTERVAL", 10)

# A report form sent sooner than this after it was served is refused once (the
# same form goes through when sent again): scripts posting junk are that fast,
# people are not (tipline/lib/tokens.py).
FORM_MIN_FILL_SECONDS = env_int("FORM_MIN_FILL_SECONDS", 3)
# Under a flood (more reports a minute than this, per web process) the minimum
# rises to FLOOD_MIN_FILL_SECONDS: slowed, not dropped (tipline/intake/flood.py).
FLOOD_REPORTS_PER_MINUTE = env_int("FLOOD_REPORTS_PER_MINUTE", 300)
FLOOD_MIN_FILL_SECONDS = env_int("FLOOD_MIN_FILL_SECONDS", 20)
# During a flood, browsers with JavaScript may instead find a proof of work of this
# many bits (about 2**bits SHA-256 hashes) and be held only FORM_MIN_FILL_SECONDS.
# 0 turns it off (tipline/intake/proof.py).
PROOF_OF_WORK_BITS = env_int("PROOF_OF_WORK_BITS", 18)

# How long a closed case is kept: unfounded and knowingly false reports for six
# months (the people named deserve their earliest deletion), others five years.
RETENTION_UNFOUNDED_DAYS = env_int("RETENTION_UNFOUNDED_DAYS", 183)
RETENTION_CLOSED_DAYS = env_int("RETENTION_CLOSED_DAYS", 5 * 365)
# Rewards (issue 14): days a reporter has to answer an offer, and days a claim
# code works after they accept it.
REWARD_OFFER_DAYS = env_int("REWARD_OFFER_DAYS", 60)
REWARD_CLAIM_DAYS = env_int("REWARD_CLAIM_DAYS", 90)
# Public statistics: a count from 1 to this minus 1 is shown as "fewer than N",
# with the sum that goes with it (tipline/rewards/statistics.py); 1 hides nothing.
STATISTICS_MIN_COUNT = env_int("STATISTICS_MIN_COUNT", 5)
# The receipt page shows the code for this long after the report was made; the same
# form sent again within it shows the code again, later only "already received"
# (tipline/intake/browser.py).
RECEIPT_SHOWN_SECONDS = env_int("RECEIPT_SHOWN_SECONDS", 10 * 60)
# A follow-up sign-in ends after this long without a request, and this long after
# signing in whatever happens.
FOLLOWUP_IDLE_SECONDS = env_int("FOLLOWUP_IDLE_SECONDS", 15 * 60)
FOLLOWUP_MAX_SECONDS = env_int("FOLLOWUP_MAX_SECONDS", 2 * 3600)
# What a reporter typed is kept this long across a change of language.
DRAFT_SECONDS = 10 * 60
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Uploads stay in memory (never a plaintext temporary file) within these limits.
FILE_UPLOAD_HANDLERS = ["tipline.intake.uploads.BoundedSpoolUploadHandler"]
MAX_FILE_BYTES = env_int("MAX_FILE_BYTES", 50 * 1024 * 1024)
MAX_REPORT_FILE_BYTES = env_int("MAX_REPORT_FILE_BYTES", 200 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("MAX_FILES", 20)
# Every upload is scrubbed in a worker process with these limits per file (CPU
# seconds and wall-clock seconds, address space in bytes); a file that passes one
# is refused (tipline/intake/sandbox.py). Each web process keeps this many workers.
SCRUB_SECONDS = env_int("SCRUB_SECONDS", 30)
SCRUB_MEMORY_BYTES = env_int("SCRUB_MEMORY_BYTES", 1536 * 1024 * 1024)
SCRUB_PROCESSES = env_int("SCRUB_PROCESSES", 2)
# `tipline serve` receives each body in full before the application sees it, and
# cuts off (408) a body that, after BODY_GRACE_SECONDS, has averaged less than
# BODY_MIN_BYTES_PER_SECOND: a slow body holds a cheap receiving thread for a
# bounded time, never an application thread (tipline/lib/slowbody.py). Tor
# uploads run at tens of KB/s. A body declared larger than the limits plus
# BODY_SLACK_BYTES is refused at once (413); a little over, and Tipline explains.
BODY_MIN_BYTES_PER_SECOND = env_int("BODY_MIN_BYTES_PER_SECOND", 1024)
BODY_GRACE_SECONDS = env_int("BODY_GRACE_SECONDS", 10)
BODY_SLACK_BYTES = 10 * 1024 * 1024
# Received bodies over 1 MiB are held in memory while one process holds fewer
# than this many bytes of them, and spooled (encrypted) beyond: held in memory,
# a report whose files meet a full disk comes back with its typed answers.
BODY_MEMORY_BYTES = env_int("BODY_MEMORY_BYTES", 64 * 1024 * 1024)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# TIPLINE_STORAGE=s3 puts evidence files (ciphertext only) in any S3-compatible
# object storage through django-storages; see docs/deployment.md.
STORAGE = env_str("STORAGE", "local")
if STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("TIPLINE_STORAGE must be local or s3")

# Django's default would make every stored file (collected static files included)
# 0644: the data directory is the owner's alone (tipline.cli sets umask 077 too).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence files (only ever ciphertext) go through Django's storage API: local files
# under the data directory by default.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": DATA_DIR / "files",
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", "tipline"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "us-east-1"),
            "access_key": env_secret("S3_ACCESS_KEY_ID", generate_in=None),
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY", generate_in=None),
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            # Objects are ciphertext under random names: nothing to cache, nothing
            # public. No overwrites, so an upload can never replace evidence.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "location": env_str("S3_PREFIX", ""),
        },
    }

# Background work (retention, deadlines, orphan sweeping) runs through Django's tasks
# framework with its database backend; `tipline worker` runs the tasks and enqueues
# the periodic ones (tipline.schedule).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "tipline@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The staff site's address, for links in emails to staff (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Nothing logged names a reporter: no client address, no user agent, no requested
# path (a path such as /report/<category>/ says what was reported). Every record
# passes tipline.lib.logs.PrivacyFilter, which hides addresses and replaces a
# request's path with its URL pattern; 5xx errors keep their traceback. gunicorn's
# access log stays off and its error log has the same filter (tipline.cli).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "tipline.lib.logs.PrivacyFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["privacy"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # Django's own handlers (an unfiltered console with DEBUG, mail to ADMINS)
    # are dropped: its records reach the filtered console through the root.
    "loggers": {"django": {"handlers": [], "level": env_str("LOG_LEVEL", "WARNING")}},
}
