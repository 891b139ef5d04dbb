"""gunicorn settings for the demo and for production app servers (override with GUNICORN_*).

Threaded workers (``gthread``) by default, because the demo is served to browsers directly,
with no buffering proxy in front. Browsers open connections ahead of need (preconnect) and keep
them open idle between requests; a ``sync`` worker blocks reading such a connection, stops
reporting to the arbiter and is killed after ``timeout`` seconds ("WORKER TIMEOUT"), dropping
whatever else it was doing. A ``gthread`` worker parks idle and kept-alive connections in its
poller (closed after ``keepalive`` seconds) and keeps its threads for requests that arrived.
``tests/core/test_gunicorn_keepalive.py`` holds idle connections past the timeout to prove it.
In production a buffering reverse proxy sits in front as well: see docs/deploy.md.
"""

import multiprocessing
import os

workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# Open connections per worker (requests in progress plus idle kept-alive ones).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", 1000))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# Seconds an idle connection is kept open for its next request; the proxy's upstream
# keep-alive must be shorter than this (nginx: keepalive_timeout of the upstream block).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then (guards against slow leaks); not so often that restarts show
# up as latency spikes under load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESSLOG")  # "-" for stdout; off by default
errorlog = "-"
# Behind a reverse proxy: trust X-Forwarded-* only from the addresses given here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = True
# gunicorn's control socket (``gunicornc``) defaults to one path per user, which two app
# servers on one host (or the tests' servers) would fight over: off unless a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
