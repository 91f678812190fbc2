"""Scale-out drills (issue 16): two gunicorn app servers and real RQ workers on a private Redis,
against one PostgreSQL test database.

* sessions, stale-edit refusal and the security log's single-writer chain hold across both servers;
* an import runs through RQ end to end with the same progress page;
* a worker killed in the middle of an import: its job is retried, the data are all-or-nothing, a
  second worker finishes the queue; a job whose database connection is cut is retried after its
  backoff;
* Redis restarted while jobs wait: `jixiao requeue_jobs` lists them and enqueues them again;
* PostgreSQL connections terminated (and refused) under load: requests get the product's 503 page
  and the servers recover by themselves, without a restart.

Marked ``scaleout`` (`make test-scaleout`, its own `.ci/run` step); deselected elsewhere. The Redis
server is started here on a free port (a private one, so restarting it disturbs nobody).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from openpyxl import Workbook

from jixiao.organisation.imports import PROJECT_HEADER

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Test@2021pw"
WEB_APP = "jx-scaleout-web"
WORKER_APP = "jx-scaleout-worker"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


# --- services ------------------------------------------------------------------------------------


class Redis:
    """A private redis-server (nothing on disk) that can be restarted."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, 20, "redis")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def redis(tmp_path_factory: Any) -> Iterator[Redis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = Redis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def database_url() -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Stack:
    """Two gunicorn servers and any number of RQ workers sharing the database, Redis and MEDIA_ROOT."""

    def __init__(self, redis: Redis, var: Path) -> None:
        self.redis = redis
        self.var = var
        self.servers: list[subprocess.Popen[bytes]] = []
        self.ports: list[int] = []
        self.workers: list[subprocess.Popen[bytes]] = []

    def env(self, app: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "PYTEST"))}
        env.update({
            "JIXIAO_DATABASE_URL": database_url(), "JIXIAO_REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
            "JIXIAO_VAR_DIR": str(self.var), "JIXIAO_MEDIA_ROOT": str(self.var / "shared-media"),
            "JIXIAO_JOB_RETRY_DELAYS": "1,1,1", "JIXIAO_RQ_MAINTENANCE_SECONDS": "2",
            "JIXIAO_WORKING_YEAR": "2021", "PGAPPNAME": app, "PYTHONPATH": str(ROOT),
        })
        return env

    def start_servers(self) -> None:
        for _ in range(2):
            port = free_port()
            env = self.env(WEB_APP) | {"JIXIAO_BIND": f"127.0.0.1:{port}", "JIXIAO_WEB_WORKERS": "2",
                                       "JIXIAO_ACCESS_LOG": str(self.var / f"access-{port}.log")}
            self.servers.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:jixiao.gunicorn_conf", "jixiao.wsgi"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=(self.var / f"gunicorn-{port}.log").open("wb")))
            self.ports.append(port)
        for port in self.ports:
            wait_for(lambda port=port: healthy(port), 120, f"gunicorn on {port}")

    def start_worker(self, *, scheduler: bool = True) -> subprocess.Popen[bytes]:
        args = [sys.executable, "-m", "jixiao.cli", "rqworker", "default", "-v0"]
        if scheduler:
            args.append("--with-scheduler")
        log = (self.var / f"worker-{len(self.workers)}.log").open("wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env(WORKER_APP), stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        return proc

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_tree(proc.pid)
                proc.wait()
        self.workers = []

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=ROOT, env=self.env(WORKER_APP),
                              capture_output=True, text=True, timeout=120)

    def stop(self) -> None:
        self.stop_workers()
        for proc in self.servers:
            proc.send_signal(signal.SIGTERM)
        for proc in self.servers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(p) for p in text.split()]
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL a worker and every process it started (its job's work-horse, its scheduler)."""
    for child in children(pid):
        kill_tree(child)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def stack(redis: Redis, tmp_path_factory: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Stack]:
    if not connection.settings_dict["ENGINE"].endswith("postgresql"):
        pytest.skip("the scale-out drills need PostgreSQL")
    with django_db_blocker.unblock():
        stack = Stack(redis, tmp_path_factory.mktemp("scaleout"))
        try:
            stack.start_servers()
            yield stack
        finally:
            stack.stop()


@pytest.fixture
def fresh(stack: Stack) -> Iterator[Stack]:
    """No worker left running between drills; Redis emptied of earlier drills' jobs."""
    import redis as redis_client

    redis_client.Redis(port=stack.redis.port).flushall()
    yield stack
    stack.stop_workers()


# --- a browser ------------------------------------------------------------------------------------


class Browser:
    """Cookies shared by every port of 127.0.0.1, CSRF token taken from the last form."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def get(self, port: int, path: str) -> tuple[int, str]:
        return self.send(urllib.request.Request(f"http://127.0.0.1:{port}{path}"))

    def post(self, port: int, path: str, data: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None,
             ) -> tuple[int, str]:
        fields = {"csrfmiddlewaretoken": self.csrf, **data}
        if files:
            boundary = uuid.uuid4().hex
            body = io.BytesIO()
            for name, value in fields.items():
                for item in value if isinstance(value, list) else [value]:
                    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'
                               .encode())
            for name, (filename, content) in files.items():
                body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                           f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
            body.write(f"--{boundary}--\r\n".encode())
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body.getvalue(),
                                             headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        else:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                             data=urllib.parse.urlencode(fields, doseq=True).encode())
        return self.send(request)

    def send(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                status, html = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, html = error.code, error.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if token:
            self.csrf = token.group(1)
        return status, html

    def login(self, port: int, username: str) -> None:
        self.get(port, "/accounts/login/")
        status, html = self.post(port, "/accounts/login/", {"username": username, "password": PASSWORD})
        if 'name="token"' in html:  # the second factor of the performance section: a recovery code
            status, html = self.post(port, "/accounts/otp/", {"token": recovery_code(username)})
        assert status == 200 and "退出" in html, html[:500]


RECOVERY_CODES: dict[str, list[str]] = {}


def recovery_code(username: str) -> str:
    return RECOVERY_CODES[username].pop()


def make_users(*usernames: str) -> None:
    """Users with Argon2 hashes (the servers run production hashers, not the tests' fast one)."""
    from django.utils import timezone

    from jixiao.accounts.models import User
    from jixiao.organisation.models import BudgetUnit, Sector

    BudgetUnit.objects.get_or_create(code="901", defaults={"name": "东湖局", "sector": Sector.objects.get(name="教育")})
    from jixiao.accounts.otp import issue_recovery_codes

    hashed = make_password(PASSWORD, hasher="argon2")
    for name in usernames:
        user = User.objects.create(username=name, real_name=f"{name}用户", role="perf_section", password=hashed,
                                   password_changed_at=timezone.now())
        RECOVERY_CODES[name] = issue_recovery_codes(user)  # the second factor (one code per login)


def workbook(*codes: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    for code in codes:
        ws.append([2022, code, f"项目{code}", "901", "一般公共预算", "120000.00", "150000", "新增"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(browser: Browser, port: int, name: str, content: bytes) -> int:
    browser.get(port, "/budget/import/")
    status, html = browser.post(port, "/budget/import/", {"kind": "projects"}, {"file": (name, content)})
    assert status == 200, html[:500]
    from jixiao.organisation.models import ImportBatch

    return ImportBatch.objects.filter(file_name=name).latest("pk").pk


def batch_status(pk: int) -> str:
    from jixiao.organisation.models import ImportBatch

    return ImportBatch.objects.get(pk=pk).status


# --- the drills -----------------------------------------------------------------------------------


def test_sessions_stale_edits_and_the_security_log_hold_across_two_servers(fresh: Stack) -> None:
    from jixiao.audit.models import SecurityEvent, verify_chain
    from jixiao.organisation.models import Project

    make_users("alice", *[f"user{i}" for i in range(6)])
    a, b = fresh.ports
    browser = Browser()
    browser.login(a, "alice")
    # The session made by server A is the session of server B (sessions live in the database).
    status, html = browser.get(b, "/")
    assert status == 200 and "alice用户" in html

    # Stale edits: both servers open the form at the same version; the second save is refused.
    from jixiao.organisation.models import BudgetUnit, FundSource

    unit = BudgetUnit.objects.get(code="901")
    project = Project.objects.create(year=2021, code="P-1", name="测试项目", unit=unit, sector=unit.sector,
                                     initial_budget_fen=100, adjusted_budget_fen=100)
    source = FundSource.objects.get(name="一般公共预算")
    project.fund_sources.add(source)
    edit = f"/budget/projects/{project.pk}/edit/"
    other = Browser()
    other.login(b, "user0")
    browser.get(a, edit)
    first_csrf = browser.csrf
    other.get(b, edit)
    data = {"name": project.name, "unit": unit.pk, "sector": unit.sector_id, "fund_sources": [source.pk],
            "initial_budget_fen": "1.00", "lock_version": project.lock_version}
    status, html = other.post(b, edit, data | {"adjusted_budget_fen": "60.00"})
    assert status == 200 and "该表单已被他人修改" not in html
    project.refresh_from_db()
    saved = project.adjusted_budget_fen
    assert saved != 100
    browser.csrf = first_csrf
    status, html = browser.post(a, edit, data | {"adjusted_budget_fen": "70.00"})
    assert "该表单已被他人修改并保存" in html
    project.refresh_from_db()
    assert project.adjusted_budget_fen == saved

    # The security log: logins on both servers at once still make one unbroken chain.
    before = SecurityEvent.objects.count()

    def log_in(i: int) -> None:
        Browser().login(fresh.ports[i % 2], f"user{i}")

    threads = [threading.Thread(target=log_in, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert SecurityEvent.objects.count() >= before + 6
    assert verify_chain() is None


def test_an_import_runs_through_rq_with_its_progress_page_on_either_server(fresh: Stack) -> None:
    from jixiao.organisation.models import ImportBatch, Project

    make_users("alice")
    a, b = fresh.ports
    browser = Browser()
    browser.login(a, "alice")
    fresh.start_worker()
    pk = upload(browser, a, "budget.xlsx", workbook("430603-2022-0001", "430603-2022-0002"))
    wait_for(lambda: batch_status(pk) == ImportBatch.Status.IMPORTED, 90, "the import")
    # The upload stored by server A was read by the worker; server B shows the finished batch.
    status, html = browser.get(b, f"/budget/import/batches/{pk}/")
    assert status == 200 and "已导入" in html
    assert Project.objects.filter(year=2022).count() == 2
    status, body = browser.get(a, "/healthz")
    assert '"backend": "RQ"' in body and '"alert": false' in body


def lock_projects() -> Any:
    """A second connection holding an EXCLUSIVE lock on the projects table: an import stops at its write."""
    import psycopg

    db = connection.settings_dict
    holder = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres",
                             dbname=db["NAME"])
    holder.execute("LOCK TABLE organisation_project IN EXCLUSIVE MODE")
    return holder


def waiting_on_lock(app: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
                       [app])
        return bool(cursor.fetchone()[0])


def test_a_worker_killed_mid_import_leaves_nothing_and_a_second_worker_finishes_the_queue(fresh: Stack) -> None:
    from jixiao.organisation.models import ImportBatch, Project

    make_users("alice")
    a, b = fresh.ports
    browser = Browser()
    browser.login(a, "alice")
    holder = lock_projects()
    try:
        first = fresh.start_worker(scheduler=False)
        big = upload(browser, a, "big.xlsx", workbook(*[f"430603-2022-{i:04d}" for i in range(1, 301)]))
        later = upload(browser, b, "later.xlsx", workbook("430603-2022-0900"))
        wait_for(lambda: waiting_on_lock(WORKER_APP), 90, "the import to reach its write")
        kill_tree(first.pid)  # the worker and its job's process, as when the machine loses them
        first.wait()
    finally:
        holder.close()  # the dead job's transaction ends without a commit
    assert batch_status(big) == ImportBatch.Status.RUNNING
    fresh.start_worker()  # finds the job of the dead worker at start: retried
    wait_for(lambda: batch_status(big) == ImportBatch.Status.IMPORTED
             and batch_status(later) == ImportBatch.Status.IMPORTED, 120, "the second worker")
    # All-or-nothing and never twice: each project once.
    assert Project.objects.filter(year=2022).count() == 301
    assert ImportBatch.objects.get(pk=big).created_count == 300


def test_a_job_whose_database_connection_is_cut_is_retried_after_its_backoff(fresh: Stack) -> None:
    from jixiao.organisation.models import ImportBatch, Project

    make_users("alice")
    browser = Browser()
    browser.login(fresh.ports[0], "alice")
    holder = lock_projects()
    try:
        fresh.start_worker()
        pk = upload(browser, fresh.ports[0], "cut.xlsx", workbook("430603-2022-0001"))
        wait_for(lambda: waiting_on_lock(WORKER_APP), 90, "the import to reach its write")
        with connection.cursor() as cursor:  # as a database restart does to the job's connection
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                           [WORKER_APP])
    finally:
        holder.close()
    wait_for(lambda: batch_status(pk) == ImportBatch.Status.IMPORTED, 90, "the retried import")
    assert Project.objects.filter(year=2022).count() == 1


def test_jobs_waiting_when_redis_restarts_are_listed_and_enqueued_again(fresh: Stack) -> None:
    from jixiao.organisation.models import ImportBatch, Project

    make_users("alice")
    browser = Browser()
    browser.login(fresh.ports[0], "alice")
    pks = [upload(browser, fresh.ports[i % 2], f"wait{i}.xlsx", workbook(f"430603-2022-{i + 1:04d}")) for i in range(3)]
    fresh.redis.restart()  # it keeps nothing on disk: the three waiting jobs are gone
    listed = fresh.command("requeue_jobs", "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert "共3个任务在队列中丢失" in listed.stdout and "wait0.xlsx" in listed.stdout
    done = fresh.command("requeue_jobs")
    assert "共3个任务已重新排队" in done.stdout
    assert fresh.command("requeue_jobs", "--dry-run").stdout.strip().endswith("共0个任务在队列中丢失。")
    fresh.start_worker()
    wait_for(lambda: all(batch_status(pk) == ImportBatch.Status.IMPORTED for pk in pks), 90, "the requeued imports")
    assert Project.objects.filter(year=2022).count() == 3
    # The app servers reconnected to the restarted Redis by themselves.
    pk = upload(browser, fresh.ports[1], "after.xlsx", workbook("430603-2022-0100"))
    wait_for(lambda: batch_status(pk) == ImportBatch.Status.IMPORTED, 90, "an import after the restart")


def test_database_connections_cut_under_load_give_the_error_page_and_recover_without_restart(fresh: Stack) -> None:
    make_users("alice")
    browsers = [Browser(), Browser()]
    for i, browser in enumerate(browsers):
        browser.login(fresh.ports[i], "alice")
    server_pids = [p.pid for p in fresh.servers]
    outcomes: list[tuple[int, str]] = []
    stop = threading.Event()

    def load(i: int) -> None:
        while not stop.is_set():
            try:
                status, html = browsers[i % 2].get(fresh.ports[i % 2], "/budget/projects/")
            except OSError as error:  # a dropped connection is a failure of the drill
                status, html = 0, repr(error)
            outcomes.append((status, html))

    def terminate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                           [WEB_APP])

    def allow_connections(allowed: bool) -> None:
        """ALTER DATABASE runs from another database (PostgreSQL refuses it on the current one)."""
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                             user=db["USER"] or "postgres", dbname="postgres", autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{db["NAME"]}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')

    threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(10):  # connections cut again and again under load
            time.sleep(0.3)
            terminate()
        allow_connections(False)  # the database "down": no new connection for a while
        try:
            terminate()
            time.sleep(2)
        finally:
            allow_connections(True)
        time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join()
    failures = [(s, h) for s, h in outcomes if s != 200]
    assert failures, "the drill cut no request"
    for status, html in failures:
        assert status == 503 and "服务暂时不可用" in html, (status, html[:300])
    # Recovered by themselves: the same server processes answer every request again.
    for i in range(10):
        status, html = browsers[i % 2].get(fresh.ports[i % 2], "/budget/projects/")
        assert status == 200, html[:300]
    assert [p.pid for p in fresh.servers] == server_pids and all(p.poll() is None for p in fresh.servers)
