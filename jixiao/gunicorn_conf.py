"""gunicorn settings for production: ``gunicorn -c python:jixiao.gunicorn_conf jixiao.wsgi``.

Everything that varies comes from the environment (docs/deploy.md). Static files are served by
WhiteNoise from the collected ``STATIC_ROOT``; uploads stream to disk and are limited in Django
(the reverse proxy limits the body size first). The background worker is its own process
(``jixiao db_worker``), never inside gunicorn.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("JIXIAO_BIND", "127.0.0.1:8000")
# Sync workers: one request each. 2 × cores + 1 keeps the CPU busy while others wait on the database;
# each login costs ~0.4 s of Argon2 CPU, so more workers than that does not help a small server.
workers = _int("JIXIAO_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request that takes longer than this is killed and logged (imports and reports run in the worker).
timeout = _int("JIXIAO_WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Request line and headers are bounded; the body limit is the proxy's and Django's (uploads).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Access log: who asked for what, status, bytes, referrer, agent and time taken (µs).
accesslog = os.environ.get("JIXIAO_ACCESS_LOG", "-")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
errorlog = os.environ.get("JIXIAO_ERROR_LOG", "-")
loglevel = os.environ.get("JIXIAO_GUNICORN_LOG_LEVEL", "info")
# Only the local reverse proxy may set X-Forwarded-* (SECURE_PROXY_SSL_HEADER trusts it).
forwarded_allow_ips = os.environ.get("JIXIAO_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "jixiao-web"
