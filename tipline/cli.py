"""The ``tipline`` command: operations for one Tipline instance."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

HELP = """\
usage: tipline COMMAND [ARGS]

Operate a Tipline instance. Settings come from TIPLINE_* environment variables
(see .env.example); by default everything lives under var/ at the project
root (TIPLINE_DATA_DIR).

commands:
  serve                      migrate, load the default profile on first start, and
                             serve with gunicorn on 127.0.0.1:$TIPLINE_PORT (8000).
                             Prints a one-time link to create the first administrator.
  createadmin NAME           create an administrator
                             (password: TIPLINE_PASSWORD or a prompt)
  createuser NAME --role ROLE [--team TEAM]
                             create a staff member with their own key pair; ROLE is
                             administrator, analyst, investigator, supervisor,
                             rewards_approver or finance
  staff move NAME (--team TEAM | --no-team) [--role ROLE]
  staff role NAME ROLE | staff deactivate NAME | staff reactivate NAME
                             change a staff member; the keys their old team or role
                             gave and every session end at once (audited)
  staff grants NAME          list the case keys they hold beyond their team
  profile load NAME          load a profile (national-security, whistleblowing, or a
                             path to a .toml file) and make it active
  profile list               list the shipped profiles
  worker                     run background tasks and enqueue the periodic ones
                             (orphaned file sweeping, ...) when they fall due
  check                      deployment checklist: secrets, HTTPS, debug, hosts, keys
  audit verify [--anchors-file F]
                             verify the audit log's hash chain (and heads kept
                             elsewhere)
  audit head                 print the chain head (COUNT:HASH) to keep off-site
  backup DIR                 write a consistent backup (database and evidence files,
                             no secrets) to a new directory while the service runs
  restore DIR [--force]      restore a backup into this instance (service stopped)
  escrow grant --to USER (--unreadable | --case N) --escrow-key-file PATH|-
                             give staff access to cases no one can read (or
                             named ones) with the escrow private key, audited
  escrow rotate --new-public-key HEX --escrow-key-file PATH|-
                             re-seal everything sealed to the escrow key to a new
                             one (e.g. after the private half leaked), audited
  escrow keygen PATH         make a new escrow key pair (private half to PATH)
  purge [--dry-run]          destroy cases whose retention period has ended (also
                             run daily by the worker)
  manage ARGS                run any Django management command (e.g. migrate)

Run `tipline COMMAND --help` for a command's options.
"""

COMMANDS = {
    "createadmin": "createadmin",
    "createuser": "createuser",
    "staff": "staff",
    "profile": "profile",
    "audit": "audit",
    "purge": "purge",
    "backup": "backup",
    "restore": "restore",
    "escrow": "escrow",
}


# Every file and directory a command creates (the database and its -wal and -shm,
# secrets, static files, audit anchors, backups) is readable by its owner only.
PRIVATE_UMASK = 0o077


def main(argv: list[str] | None = None) -> None:
    os.umask(PRIVATE_UMASK)
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tipline.settings")
    if not args or args[0] in ("-h", "--help", "help"):
        print(HELP, end="")
        return
    command, rest = args[0], args[1:]
    from django.core.management import execute_from_command_line

    if command == "serve":
        serve(rest)
    elif command == "worker":
        worker(rest)
    elif command == "check":
        sys.exit(deployment_check())
    elif command == "manage":
        execute_from_command_line(["tipline", *rest])
    elif command in COMMANDS:
        execute_from_command_line(["tipline", COMMANDS[command], *rest])
    else:
        print(
            f"tipline: unknown command {command!r}\n\n{HELP}", file=sys.stderr, end=""
        )
        sys.exit(2)


def serve(args: list[str]) -> None:
    if args and args[0] in ("-h", "--help"):
        print(
            "usage: tipline serve\n\nTIPLINE_PORT, TIPLINE_BIND (127.0.0.1), "
            "TIPLINE_WORKERS (one per CPU), TIPLINE_THREADS (1: application threads "
            "per process) and TIPLINE_RECEIVERS (128: threads per process receiving "
            "requests) set where and how it serves."
        )
        return
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    from tipline.accounts.services import issue_setup_token
    from tipline.lib.migrate_lock import migration_lock
    from tipline.profiles.loader import ensure_default_profile

    # Servers starting together take turns (tipline/lib/migrate_lock.py); with many
    # nodes, migrating once per release and TIPLINE_MIGRATE_ON_START=False is still
    # the quicker start.
    with migration_lock():
        if os.environ.get("TIPLINE_MIGRATE_ON_START", "True") != "False":
            call_command("migrate", interactive=False, verbosity=0)
        profile = ensure_default_profile()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Tipline: profile {profile.slug}, data in {settings.DATA_DIR}")
    from tipline.cases.recovery import gap_warnings, readability_gap

    for warning in gap_warnings(readability_gap()):
        print(f"WARNING: {warning}", flush=True)
    token = issue_setup_token()
    if token:
        print(
            "\nNo administrator exists yet. Create one with this one-time link:\n"
            f"    {settings.BASE_URL}/staff/setup/{token}/\n",
            flush=True,
        )
    bind = f"{os.environ.get('TIPLINE_BIND') or '127.0.0.1'}:{settings.PORT}"
    print(f"Serving on http://{bind}/", flush=True)
    _Gunicorn(
        {
            # Application threads run a request once its body has arrived. One
            # per process by default: the work is CPU-bound (scrubbing,
            # encryption, rendering), and on this 2-core machine a second thread
            # only fought for the GIL: 219 vs 149 reports/s on SQLite, 188 vs 154
            # on PostgreSQL at 4 threads (bench/submissions.py). Threads help when
            # the database is across a network; each holds a connection.
            "app_threads": int(os.environ.get("TIPLINE_THREADS") or 1),
            "bind": bind,
            "workers": int(os.environ.get("TIPLINE_WORKERS") or os.cpu_count() or 2),
            # gthread, with request headers under the body's time limit.
            "worker_class": "tipline.lib.slowbody.ReceivingWorker",
            # gunicorn's threads only receive requests (a slow upload over Tor
            # holds one for minutes, waiting on its socket, not the CPU): many,
            # so slow bodies cannot take them all (tipline/lib/slowbody.py).
            "threads": int(os.environ.get("TIPLINE_RECEIVERS") or 128),
            # No access log: it would record every reporter's address and agent.
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            # Its error log names the peer and the request line of a malformed
            # request, to the second: this logger class hides both and stamps
            # the hour only (tipline/lib/logs.py).
            "logger_class": "tipline.lib.logs.PrivateGunicornLogger",
            # Files the server creates (and its workers' temporary files) are the
            # owner's alone (see main()).
            "umask": PRIVATE_UMASK,
            "timeout": 60,
            "graceful_timeout": 10,
            "forwarded_allow_ips": "",
        }
    ).run()


def worker(args: list[str]) -> None:
    """Run django-tasks' database worker, with a thread enqueuing periodic tasks."""
    import threading

    import django
    from django.core.management import call_command
    from django.db import close_old_connections

    django.setup()
    from tipline.schedule import enqueue_due

    stop = threading.Event()

    def scheduler() -> None:
        while not stop.is_set():
            close_old_connections()
            enqueue_due()
            stop.wait(60)

    thread = threading.Thread(target=scheduler, name="tipline-scheduler", daemon=True)
    thread.start()
    try:
        call_command("db_worker", *args)
    finally:
        stop.set()


def deployment_check() -> int:
    """Print a checklist for this instance; return 1 if anything must be fixed."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import CommandError, call_command

    from tipline.accounts.models import Role, User
    from tipline.audit.anchors import sink_is_off_the_data_dir
    from tipline.rewards.certificates_keys import uses_generated_keys

    escrow_private = settings.SECRETS_DIR / "escrow_private_key"
    checks = [
        (settings.PRODUCTION, "TIPLINE_ENV=production (secrets are never generated)"),
        (not settings.DEBUG, "DEBUG is off"),
        (
            settings.HTTPS,
            "served over HTTPS (TIPLINE_HTTPS=True): secure cookies, HSTS",
        ),
        (bool(settings.ALLOWED_HOSTS), "TIPLINE_ALLOWED_HOSTS names this site"),
        (len(settings.SECRET_KEY) >= 50, "secret key is set and long"),
        (len(settings.RECEIPT_PEPPER) >= 32, "receipt pepper is set and long"),
        (not escrow_private.exists(), "escrow private key is not on this server"),
        (len(settings.AUDIT_ANCHOR_KEY) >= 32, "audit anchor key is set and long"),
        (
            sink_is_off_the_data_dir(),
            "audit anchors go outside the data directory (TIPLINE_AUDIT_ANCHOR_SINK)",
        ),
        (
            not uses_generated_keys(),
            "certificates are signed with the organisation's own keys "
            "(TIPLINE_SIGNING_KEY_FILE, TIPLINE_SIGNING_CERT_FILE, "
            "TIPLINE_SIGNING_CERT_KEY_FILE), not keys generated here",
        ),
        (
            Path(settings.CERTIFICATE_FONT).is_file(),
            "the certificate font is installed (TIPLINE_CERTIFICATE_FONT, "
            "Debian's fonts-wqy-zenhei)",
        ),
        (
            User.objects.filter(role=Role.ADMINISTRATOR).exists(),
            "an administrator exists",
        ),
        *_privacy_and_readability_checks(),
    ]
    failed = 0
    for ok, text in checks:
        print(f"[{'ok' if ok else 'FIX'}] {text}")
        failed += not ok
    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except CommandError as exc:
        print(f"[FIX] Django deployment checks: {exc}")
        failed += 1
    return 1 if failed else 0


def _privacy_and_readability_checks() -> list[tuple[bool, str]]:
    """A private data directory; no report, and no receiving team, left dark."""
    from django.conf import settings

    from tipline.cases.recovery import readability_gap

    data_dir = settings.DATA_DIR
    mode = stat.S_IMODE(data_dir.stat().st_mode) if data_dir.exists() else 0o700
    gap = readability_gap()
    unreadable = (
        f" ({gap.unreadable} sealed only to the escrow key: "
        "tipline escrow grant --unreadable)"
    )
    return [
        (
            mode & 0o077 == 0,
            f"the data directory is private (mode {mode:04o}, want 0700)",
        ),
        (
            not gap.unreadable,
            "every report can be read by someone"
            + (unreadable if gap.unreadable else ""),
        ),
        (
            not gap.teams,
            "every team that receives reports has a member with a key"
            + (f" (none in: {gap.team_slugs})" if gap.teams else ""),
        ),
    ]


class _Gunicorn(BaseApplication):
    """Gunicorn embedded, so ``tipline serve`` is one production-grade command."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key != "app_threads":
                self.cfg.set(key, value)

    def load(self) -> Any:
        from django.conf import settings

        from tipline.crypto import EncryptedSpool
        from tipline.lib.slowbody import BodyFirst
        from tipline.wsgi import application

        return BodyFirst(
            application,
            spool=EncryptedSpool,
            max_bytes=settings.MAX_REPORT_FILE_BYTES
            + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            + settings.BODY_SLACK_BYTES,
            memory_bytes=settings.BODY_MEMORY_BYTES,
            min_bytes_per_second=settings.BODY_MIN_BYTES_PER_SECOND,
            grace_seconds=settings.BODY_GRACE_SECONDS,
            app_threads=self.options["app_threads"],
            upload_threads=settings.SCRUB_PROCESSES,
        )


if __name__ == "__main__":
    main()
