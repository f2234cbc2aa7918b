"""500 learners submitting a quiz at once, on PostgreSQL behind the app hosts' server: Granian, 2 workers × 2
threads (docs/decisions/http-server.md); ``--server gunicorn``: gunicorn, 4 workers × gthread 2 threads.

Seeds a private database (the shipped example standards unless ``--no-standards``; 500 cadres + learner
accounts, half full-time, a third key cadres; one quiz of 20 questions drawn from 40, one attempt in
progress per learner with every answer saved), starts the server on loopback and logs each
learner in. ``--login mint`` (default) builds each learner's session cookie the way the login view does
(``login_user`` in a fresh request context of the same app and secret key — a fresh application context
per learner, so no CSRF token is cached in ``g``, the bug that had 499/500 submissions refused); ``--login
form`` posts the real login form instead (argon2: about 1 s per login on the shared machine). Either way
it then opens each learner's taking page with that cookie (a 200 proves the session; the page puts the
CSRF token in the session) and serialises its form as the browser does on "Nộp bài" (the session's CSRF token, the
attempt's one-time submit token and every answer the page shows) — exactly what the browser sends.

Two measurements:

* **service time** — ``--sample`` extra learners (default 50) submit one after another (no queue);
* **all at once** — the 500 learners' submissions are released together by ``bench/_load.py`` (asyncio,
  every connection opened first) and the p50/p99 latency, the throughput and the CPU per submission of
  the server, PostgreSQL and the load generator are reported, with the ratio of the p99 to the floor's
  (bench_floor.py's read+write view, the same learners and bodies, released together just before).
  ``--rounds`` (3) such pairs run, each on 500 learners of its own (a burst's p99 moves ±0.2× from one to
  the next on a shared machine); the median of the rounds' ratios is printed last.

Afterwards it checks that every submission was graded: the status histogram must be all 302 (to the
result page), every attempt ``submitted`` with all 20 items credited and exactly the points of the answers
seeded (about 80 % right), one training record per pass, compliance statuses for every passing cadre a
requirement applies to. It exits 1 otherwise. The database is dropped at the end.

Since issue #20 the submission request only stores the answers and marks the attempt ``received``; the
quiz's grading job grades it right after (``lms.assessments.receiving``), and a pass's compliance statuses
and module certificate come from the cadre's job after that (``lms.records.deferred``). ``--jobs rq``
(default) runs them in ``--job-workers`` real ``lms worker`` processes on Redis (``--redis``, a private queue
name), started before the burst: after the burst the bench prints when the burst's last attempt was graded
(until then its learner's result page says "being graded"), waits until every job has finished, prints how
long after the burst's release that was and the workers' CPU per submission, and checks grades, records,
statuses and certificates (``bench/quiz_checks.py``). ``--jobs eager`` runs them in the server's worker right
after each request (no Redis). The data: ``bench/quiz_seed.py``; the floor burst and the workers:
``bench/quiz_run.py``.

    .venv/bin/python bench/bench_quiz.py --db postgresql://postgres@127.0.0.1:5432/test [--learners 500]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import html.parser
import http.client
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _load  # noqa: E402
import quiz_checks  # noqa: E402
import quiz_run  # noqa: E402
from quiz_seed import PASSWORD, seed  # noqa: E402

from tests.pgdb import backend_pids, make_database  # noqa: E402

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class FormFields(html.parser.HTMLParser):
    """The fields a browser posts for ``#quiz-form`` with its submit button: hidden and text inputs, checked
    radios and boxes, selected options (the saved answers the server rendered)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "quiz-form":
            self.in_form = True
        elif not self.in_form:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("hidden", "text") or (kind in ("radio", "checkbox") and "checked" in a):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None


def log_in(base: str, attempt_id: int, login: str, cookie: str | None) -> tuple[int, str, str]:
    """Log in (through the form, or with the minted ``cookie``), open the taking page: (attempt id, session
    cookie, the form's body as the browser posts it on "Nộp bài": CSRF token, submit token, every answer)."""
    with requests.Session() as s:
        if cookie is None:
            page = s.get(f"{base}/login", timeout=120)
            token = CSRF_META.search(page.text)[1]
            resp = s.post(f"{base}/login", data={"login": login, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=120)
            if resp.status_code != 302 or "/login" in resp.headers.get("Location", "/login"):
                raise SystemExit(f"login of {login} failed: {resp.status_code}")
        else:
            s.cookies.set("session", cookie, domain="127.0.0.1", path="/")
        take = s.get(f"{base}/quiz/attempt/{attempt_id}", allow_redirects=False, timeout=120)
        if take.status_code != 200:
            raise SystemExit(f"taking page of {login}: {take.status_code}")
        parser = FormFields()
        parser.feed(take.text)
        names = {name for name, _ in parser.fields}
        if not {"csrf_token", "submit_token", "positions", "layout"} <= names:
            raise SystemExit(f"taking page of {login}: no quiz form (with its sealed layout)")
        body = urllib.parse.urlencode([*parser.fields, ("go", "submit")])
        return attempt_id, s.cookies["session"], body


def submit(port: int, row: tuple[int, str, str]) -> tuple[float, int]:
    """POST the taking page's form with its submit button (to /save, as the browser does); (seconds, status)."""
    attempt_id, cookie, body = row
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.connect()
        started = time.perf_counter()
        conn.request("POST", f"/quiz/attempt/{attempt_id}/save", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}",
            "Referer": f"http://127.0.0.1:{port}/quiz/attempt/{attempt_id}"})
        resp = conn.getresponse()
        resp.read()
        if resp.status == 302 and not resp.getheader("Location", "").endswith(f"/quiz/attempt/{attempt_id}/result"):
            return time.perf_counter() - started, -302  # redirected elsewhere (e.g. to the login page)
        return time.perf_counter() - started, resp.status
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, min(len(values), int(round(q * len(values)))) - 1)]


def summary(label: str, results: list[tuple[float, int]], wall: float) -> None:
    latencies = sorted(r[0] * 1000 for r in results)
    print(f"{label}: {len(results)} submissions in {wall:.2f} s ({len(results) / wall:.1f}/s); "
          f"p50 {statistics.median(latencies):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, "
          f"max {latencies[-1]:.0f} ms; statuses {dict(sorted(collections.Counter(r[1] for r in results).items()))}")


def burst_round(args, app, url: str, server, port: int, base: str, burst: list, workers: list, start_workers,
                served_by: str) -> tuple[float | None, _load.Result, int]:
    """One round: the floor burst, then the submissions' burst (bench/_load.py: asyncio, one connection per
    learner, all opened first, every request released at the same instant: 500 client threads would take
    the CPU the server needs), then the wait until they are graded and every job has run. (p99 / floor,
    the burst's result, failed jobs)."""
    users = [_load.User(f"/quiz/attempt/{attempt_id}/save",
                        "Content-Type: application/x-www-form-urlencoded\r\n"
                        f"Cookie: session={cookie}\r\nReferer: {base}/quiz/attempt/{attempt_id}\r\n",
                        (lambda n, body=body: body.encode()), lambda status, body: status == 302)
             for attempt_id, cookie, body in burst]
    quiz_run.wait_for_jobs(app, workers)  # the earlier jobs: the burst starts with an empty queue
    pids = {args.server: [server.pid, *_load.descendants(server.pid)], "postgresql": backend_pids(url)}
    floor = None if args.no_floor else quiz_run.floor(port, burst, pids)
    worker_cpu = sum(_load.cpu_seconds(w.pid) for w in workers)
    released = time.perf_counter()
    result = _load.run(port, users, burst=True, cpu_pids=pids)
    answered = time.perf_counter() - released
    print(f"all {len(burst)} at once ({served_by})")
    print(result.summary("submissions"))
    ratio = None if floor is None else result.percentile(99) / floor
    if ratio is not None:
        print(f"p99 {result.percentile(99) * 1000:.0f} ms = {ratio:.2f} × the floor ({floor * 1000:.0f} ms) "
              "measured just before")
    if args.workers_after:
        workers = start_workers()
        worker_cpu, released = 0.0, time.perf_counter()
    quiz_checks.wait_graded(app)
    graded = time.perf_counter() - released
    since = "the workers' start" if args.workers_after else "the burst's release"
    print(f"grading: the burst's last attempt was graded {graded:.1f} s after {since} (the last answer "
          f"to a submission: {answered:.2f} s after its release); until then its result page says "
          f"\"being graded\"", flush=True)
    failed_jobs = quiz_run.wait_for_jobs(app, workers)
    if workers:
        drained = time.perf_counter() - released
        cpu = sum(_load.cpu_seconds(w.pid) for w in workers) - worker_cpu
        print(f"jobs: the last of the burst's jobs finished {drained:.1f} s after {since} (the burst's last "
              f"answer: {answered:.1f} s after its release); {len(workers)} `lms worker`, CPU "
              f"{cpu / max(1, len(burst)) * 1000:.1f} ms per submission; failed jobs {failed_jobs}")
    return ratio, result, failed_jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("LMS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--learners", type=int, default=500, help="learners submitting all at once")
    parser.add_argument("--sample", type=int, default=50, help="extra learners submitting one at a time")
    parser.add_argument("--rounds", type=int, default=3,
                        help="paired bursts, each on learners of its own: the floor, then the submissions; the "
                             "median of the rounds' ratios is reported (one burst's p99 moves ±0.2× run to run)")
    _load.add_server_arguments(parser)
    parser.add_argument("--login", choices=("mint", "form"), default="mint",
                        help="mint session cookies like the login view (default) or post the login form")
    parser.add_argument("--login-threads", type=int, default=4)
    parser.add_argument("--no-standards", action="store_true",
                        help="no training standards in the database (a pass then updates no compliance status)")
    parser.add_argument("--jobs", choices=("rq", "eager"), default="rq",
                        help="the passes' compliance/certificate jobs: real `lms worker` processes on Redis, or in-process")
    parser.add_argument("--redis", default=os.environ.get("LMS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--job-workers", type=int, default=1, help="`lms worker` processes (--jobs rq)")
    parser.add_argument("--workers-after", action="store_true",
                        help="start the `lms worker` processes only after the burst was answered (a worker on "
                             "another host: the burst does not share the cores with it); the drain is timed from then")
    parser.add_argument("--worker-nice", type=int, default=0,
                        help="run the `lms worker` processes at this niceness (background work on the same cores)")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the floor (bench_floor.py's read+write view, the same burst, in the same run)")
    args = parser.parse_args()
    served_by = _load.server_settings(args)

    url, drop = make_database(args.db, "lms_bench")
    instance = tempfile.mkdtemp(prefix="bench-quiz-")
    env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": secrets.token_hex(32),
           "LMS_INSTANCE_PATH": instance, "LMS_SECURE_COOKIES": "0"}
    if args.jobs == "rq":
        env.update({"LMS_JOBS_REDIS_URL": args.redis, "LMS_JOBS_QUEUE": f"bench-quiz-{secrets.token_hex(4)}",
                    "LMS_JOBS_RETRY_DELAYS": "1,2,5"})
    else:
        env.update({"LMS_JOBS_EAGER": "1"})
    os.environ.update({k: env[k] for k in env if k.startswith("LMS_")})
    servers = contextlib.ExitStack()
    ok = False
    try:
        from lms import create_app

        app = create_app()
        t0 = time.perf_counter()
        seeded, expected = seed(app, args.learners * args.rounds + args.sample, standards=not args.no_standards)
        print(f"seeded {len(seeded)} learners with saved answers in {time.perf_counter() - t0:.1f} s")
        # the app with bench_floor.py's floor views (the LMS's own routes unchanged)
        server, port = servers.enter_context(_load.app_server(
            args.server, "bench_floor:make_app", env, workers=args.workers, worker_class=args.worker_class,
            threads=args.threads, pythonpath=str(ROOT / "bench")))
        base = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.login_threads) as pool:
            rows = list(pool.map(lambda r: log_in(base, r[0], r[1], r[2] if args.login == "mint" else None), seeded))
        how = "with minted session cookies" if args.login == "mint" else "through the login form"
        print(f"logged in {len(rows)} learners {how} and opened their taking pages "
              f"in {time.perf_counter() - t0:.1f} s")
        cut = args.learners * args.rounds
        sample, bursts = rows[cut:], [rows[i:i + args.learners] for i in range(0, cut, args.learners)]
        count = args.job_workers if args.jobs == "rq" else 0

        def start_workers(stack: contextlib.ExitStack) -> list:
            return [stack.enter_context(quiz_run.job_worker(env, args.worker_nice)) for _ in range(count)]

        workers = [] if args.workers_after else start_workers(servers)

        t0 = time.perf_counter()
        one_by_one = [submit(port, row) for row in sample]
        summary("service time (one at a time)", one_by_one, time.perf_counter() - t0)

        ratios, errors, failed_jobs = [], collections.Counter(), 0
        for number, burst in enumerate(bursts, 1):
            print(f"-- round {number} of {args.rounds}: the floor, then {len(burst)} submissions at once", flush=True)
            with contextlib.ExitStack() as after:  # --workers-after: this round's workers, stopped at its end
                ratio, result, failed = burst_round(args, app, url, server, port, base, burst, workers,
                                                    lambda stack=after: start_workers(stack), served_by)
            ratios.append(ratio)
            errors.update(result.errors)
            failed_jobs += failed
        if ratios and None not in ratios:
            print(f"p99 / floor per round: {', '.join(f'{r:.2f}' for r in ratios)}; "
                  f"median {statistics.median(ratios):.2f} × the floor")
        result = _load.Result(errors=errors)
        ok = quiz_checks.check(app, expected, total=len(rows), one_by_one=one_by_one, result=result,
                               standards=not args.no_standards, failed_jobs=failed_jobs)
    finally:
        servers.close()
        drop()
    if not ok:
        raise SystemExit("FAILED: not every submission was graded (see above)")
    print("OK: every submission was graded")


if __name__ == "__main__":
    main()
