"""
The teacher's tools for the classroom hub, through the hub's REST API (run as root, on the hub's
machine, with /usr/bin/python3 or the hub's venv):

  classroom.py warm [--hub URL] [--notebook 01-logits.ipynb] [LEARNER ...]
      before class: starts every learner's server (default: every user the hub allows) and opens
      the notebook in a kernel there, so the learner's first Run All finds both warm.
  classroom.py stop [--hub URL] [LEARNER ...]
      stops the servers (and with them their kernels).
  classroom.py run [--hub URL] [--notebook 01-logits.ipynb] [--json FILE] LEARNER ...
      what a class does at the start: every learner at once starts their server (if it is not
      running), opens the notebook and runs all its cells; prints per learner the times, the
      memory (PSS) and CPU-seconds of their processes. Used by the hub test and the class benchmark.

The token is the "teacher-tools" service's, in $CROSS_ENTROPY_HUB_DIR/teacher-tools.token
(setup.sh writes it). Only the hub's own address is contacted.
"""
import argparse
import asyncio
import json
import os
import pwd
import sys
import time
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

HUB_DIR = os.environ.get("CROSS_ENTROPY_HUB_DIR", "/opt/cross-entropy-hub")
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}


class Hub:
    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"token {token}"}
        self.http = AsyncHTTPClient(force_instance=True, defaults={"request_timeout": 600, "connect_timeout": 60})

    async def call(self, method, path, body=None, ok=(200, 201, 202, 204)):
        request = HTTPRequest(self.url + path, method=method, headers=self.headers,
                              body=None if body is None and method == "GET" else json.dumps(body or {}),
                              allow_nonstandard_methods=True)
        try:
            response = await self.http.fetch(request, raise_error=False)
        except Exception as error:  # connection refused, timeout
            raise RuntimeError(f"{method} {path}: {error}") from error
        if response.code not in ok:
            text = response.body.decode(errors="replace")[:300] if response.body else ""
            raise RuntimeError(f"{method} {path}: HTTP {response.code} {text}")
        return json.loads(response.body) if response.body else None

    async def allowed_learners(self):
        return sorted(u["name"] for u in await self.call("GET", "/hub/api/users") if not u.get("admin"))

    async def start_server(self, name):
        """Asks for the server and waits until the hub says it is ready; True if it was already running."""
        user = await self.call("GET", f"/hub/api/users/{name}")
        server = user.get("servers", {}).get("")
        if server and server.get("ready"):
            return True
        if not (server and server.get("pending") == "spawn"):
            await self.call("POST", f"/hub/api/users/{name}/server")
        while True:
            user = await self.call("GET", f"/hub/api/users/{name}")
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                return False
            if not server:
                raise RuntimeError(f"{name}: the server failed to start (see the hub's log)")
            await asyncio.sleep(0.5)

    async def stop_server(self, name):
        await self.call("DELETE", f"/hub/api/users/{name}/server", ok=(202, 204, 400))
        while (await self.call("GET", f"/hub/api/users/{name}")).get("servers", {}).get(""):
            await asyncio.sleep(0.5)

    async def open_notebook(self, name, notebook):
        """The session JupyterLab opens for the notebook (reusing one already open): its kernel id."""
        base = f"/user/{name}/api/sessions"
        for session in await self.call("GET", base):
            if session.get("path") == notebook and session.get("kernel"):
                return session["kernel"]["id"]
        session = await self.call("POST", base, {"path": notebook, "name": notebook, "type": "notebook", "kernel": {"name": "tslab"}})
        return session["kernel"]["id"]

    async def run_cells(self, name, kernel_id, sources):
        """Runs the cells in order as Run All does; returns (time.monotonic() of the first output, error or None)."""
        ws_url = self.url.replace("http", "ws", 1) + f"/user/{name}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
        conn = await websocket_connect(HTTPRequest(ws_url, headers=self.headers, connect_timeout=60, request_timeout=600))
        first_output = None
        try:
            for source in sources:
                msg_id = uuid.uuid4().hex
                conn.write_message(json.dumps({
                    "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name, "session": msg_id,
                               "date": "", "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": source, "silent": False, "store_history": True, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True},
                }))
                replied = idle = False
                while not (replied and idle):
                    text = await asyncio.wait_for(conn.read_message(), timeout=600)
                    if text is None:
                        return first_output, "the kernel's websocket closed"
                    msg = json.loads(text)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind = msg["header"]["msg_type"]
                    if kind in OUTPUT_TYPES and first_output is None:
                        first_output = time.monotonic()
                    if kind == "error":
                        return first_output, f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
                    if kind == "execute_reply":
                        replied = True
                        if msg["content"].get("status") != "ok":
                            return first_output, f"execute_reply status {msg['content'].get('status')}"
                    if kind == "status" and msg["content"].get("execution_state") == "idle":
                        idle = True
        finally:
            # A clean close handshake: a connection dropped by this process's exit makes the proxy
            # log an ECONNRESET error.
            conn.close()
            try:
                while await asyncio.wait_for(conn.read_message(), timeout=5) is not None:
                    pass
            except asyncio.TimeoutError:
                pass
        return first_output, None


def processes_of(uid):
    """(pid, command line) of every process that runs as `uid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found.append((int(entry), f.read().replace(b"\0", b" ").decode(errors="replace")))
        except OSError:
            continue
    return found


def pss_and_cpu(uid, kernels_only=False):
    """Proportional set size (MiB, from smaps_rollup) and CPU-seconds of a user's processes (of
    their tslab kernels only, with kernels_only)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pss_kib = 0
    cpu = 0.0
    for pid, cmd in processes_of(uid):
        if kernels_only and "tslab" not in cmd:
            continue
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss_kib += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # utime, stime, cutime, cstime (fields 14-17; [0] here is field 3)
            cpu += sum(int(v) for v in fields[11:15]) / ticks
        except OSError:
            continue
    return pss_kib / 1024, cpu


def tslab_processes(uids):
    return [(pid, cmd) for uid in uids for pid, cmd in processes_of(uid) if "tslab" in cmd]


def code_cells(notebook_file):
    with open(notebook_file) as f:
        return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in json.load(f)["cells"] if c["cell_type"] == "code"]


async def one_learner(hub, name, notebook, sources, start_gate):
    record = {"learner": name}
    await start_gate.wait()
    t0 = time.monotonic()
    try:
        record["already_running"] = await hub.start_server(name)
        record["server_start_s"] = time.monotonic() - t0
        t_open = time.monotonic()
        kernel_id = await hub.open_notebook(name, notebook)
        first, error = await hub.run_cells(name, kernel_id, sources)
        now = time.monotonic()
        record["first_output_s"] = None if first is None else first - t0
        record["open_to_first_output_s"] = None if first is None else first - t_open
        record["all_cells_s"] = now - t0
        if error:
            record["error"] = error
    except Exception as error:  # a failure of this learner, reported, not fatal to the class
        record["error"] = str(error)
    return record


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def run_class(hub, learners, notebook, sources):
    """Every learner at once; per learner also the PSS of their processes at the end, and the
    CPU-seconds they used during the run (cpu_s; a server and kernel started before, by `warm`,
    are not counted) and in all (cpu_total_s)."""
    uids = {n: pwd.getpwnam(n).pw_uid for n in learners}
    cpu_before = {n: pss_and_cpu(uid)[1] for n, uid in uids.items()}
    gate = asyncio.Event()
    tasks = [asyncio.ensure_future(one_learner(hub, n, notebook, sources, gate)) for n in learners]
    gate.set()
    records = await asyncio.gather(*tasks)
    for record in records:
        name = record["learner"]
        record["pss_mib"], record["cpu_total_s"] = pss_and_cpu(uids[name])
        record["kernel_pss_mib"] = pss_and_cpu(uids[name], kernels_only=True)[0]
        record["cpu_s"] = record["cpu_total_s"] - cpu_before[name]
    return records


def summary(records):
    def stat(key):
        values = [r[key] for r in records if r.get(key) is not None]
        return {"median": percentile(values, 50), "p95": percentile(values, 95), "max": max(values) if values else float("nan")}
    return {
        "learners": len(records),
        "failures": sum(1 for r in records if "error" in r),
        "server_start_s": stat("server_start_s"),
        "first_output_s": stat("first_output_s"),
        "all_cells_s": stat("all_cells_s"),
        "pss_mib_per_learner": stat("pss_mib"),
        "pss_mib_total": sum(r.get("pss_mib", 0) for r in records),
        "cpu_s_per_learner": stat("cpu_s"),
    }


def read_token():
    with open(os.path.join(HUB_DIR, "teacher-tools.token")) as f:
        return f.read().strip()


async def main(argv):
    parser = argparse.ArgumentParser(prog="classroom.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["warm", "stop", "run"])
    parser.add_argument("learners", nargs="*")
    parser.add_argument("--hub", default=os.environ.get("CROSS_ENTROPY_HUB_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--notebook", default="01-logits.ipynb")
    parser.add_argument("--course", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    parser.add_argument("--json", help="write the per-learner records and the summary here")
    args = parser.parse_intermixed_args(argv)
    hub = Hub(args.hub, read_token())
    learners = args.learners or await hub.allowed_learners()
    if not learners:
        print("classroom.py: the hub knows no learners (allowed_users in jupyterhub_config.py)", file=sys.stderr)
        return 1
    if args.command == "stop":
        await asyncio.gather(*(hub.stop_server(n) for n in learners))
        print(f"stopped {len(learners)} servers")
        return 0
    if args.command == "warm":
        started = time.monotonic()

        async def warm(name):
            try:
                await hub.start_server(name)
                kernel_id = await hub.open_notebook(name, args.notebook)
                # One cell that loads the course's module (and danfojs, TensorFlow.js under it) and
                # its types: the learner's own imports then find them loaded. Nothing is shown.
                _, error = await hub.run_cells(name, kernel_id, ['import * as course from "..";\nvoid course;'])
                return error
            except Exception as error:
                return str(error)
        errors = await asyncio.gather(*(warm(n) for n in learners))
        for name, error in zip(learners, errors):
            if error:
                print(f"{name}: NOT warm: {error}")
        print(f"warm: {len(learners) - sum(map(bool, errors))} of {len(learners)} learners have a server and a "
              f"{args.notebook} kernel ready ({time.monotonic() - started:.0f} s)")
        return 1 if any(errors) else 0
    sources = code_cells(os.path.join(args.course, "notebooks", args.notebook))
    records = await run_class(hub, learners, args.notebook, sources)
    result = {"records": records, "summary": summary(records)}
    for r in records:
        print(f"{r['learner']}: server {r.get('server_start_s', float('nan')):.1f} s, first output "
              f"{r.get('first_output_s') or float('nan'):.1f} s, all cells {r.get('all_cells_s', float('nan')):.1f} s, "
              f"PSS {r['pss_mib']:.0f} MiB, CPU {r['cpu_s']:.1f} s" + (f", ERROR {r['error']}" if "error" in r else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 1 if result["summary"]["failures"] else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
