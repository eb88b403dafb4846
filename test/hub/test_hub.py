"""
The classroom hub, for real (npm run test:hub; run by .ci/run, not by npm test: it needs root,
creates system users and takes a few minutes).

Three learners and an admin are created as system users; deploy/hub/setup.sh starts the hub on
127.0.0.1 with deploy/hub/jupyterhub_config.py, its three marked places edited. Through the hub's
REST API every learner's server is started and notebook 01 runs, cell by cell, in a tslab kernel in
each (deploy/hub/classroom.py run); the servers are stopped. Then, with one learner warmed up
again (classroom.py warm), the hub itself is stopped. Checked:
  - each learner's notebook 01 ran without error, with output;
  - no tslab process is left after the servers stop, nor after the hub stops (while they ran,
    each learner had one: the check can see them);
  - no solutions in any home, and notebook 01 is there;
  - deploy/hub/grade.sh finds the 3 learners and grades their notebook 01;
  - the hub's log (hub, proxy, servers) has no error and no traceback.
Ends with "N passed, N failed".
"""
import csv
import json
import os
import re
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "hub"))
import harness  # noqa: E402

LEARNERS = ["cetest01", "cetest02", "cetest03"]
ADMIN = "cetestadmin"
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + ("" if ok or not detail else f"\n      {detail}"), flush=True)


def wait_until(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def lab_settings(hub, name):
    """What the learner's JupyterLab serves: the tslab kernelspec from the hub's venv, the course's
    Lab settings (news off, line wrapping) as defaults, and the debugger disabled in the page config."""
    with open(os.path.join(hub.hub_dir, "teacher-tools.token")) as f:
        headers = {"Authorization": f"token {f.read().strip()}"}

    def get(path):
        with urllib.request.urlopen(urllib.request.Request(f"{hub.url}/user/{name}{path}", headers=headers), timeout=60) as r:
            return r.read().decode()
    try:
        specs = json.loads(get("/api/kernelspecs"))["kernelspecs"]
        tslab = specs.get("tslab", {})
        check("the learner's server offers the tslab kernel, from the hub's venv",
              tslab.get("spec", {}).get("display_name") == "TypeScript"
              and tslab.get("spec", {}).get("argv", [None, None])[1] == os.path.join(harness.COURSE, "dist", "commands", "tslabKernel.js"),
              json.dumps(tslab)[:300])
        check("its kernelspec file is the one in the venv's prefix",
              os.path.exists(os.path.join(hub.hub_dir, "venv", "share", "jupyter", "kernels", "tslab", "kernel.json"))
              and not os.path.exists("/usr/local/share/jupyter/kernels/tslab") and not os.path.exists("/usr/share/jupyter/kernels/tslab"))
        notification = json.loads(get("/lab/api/settings/@jupyterlab/apputils-extension:notification"))
        tracker = json.loads(get("/lab/api/settings/@jupyterlab/notebook-extension:tracker"))
        check("Lab's defaults there: news off, long code lines wrap",
              notification["schema"]["properties"]["fetchNews"]["default"] == "false"
              and tracker["schema"]["properties"]["codeCellConfig"]["default"].get("lineWrap") is True,
              (notification["schema"]["properties"]["fetchNews"], tracker["schema"]["properties"]["codeCellConfig"]["default"]))
        page = get("/lab")
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1))
        check("Lab's page config there: the debugger extension disabled",
              "@jupyterlab/debugger-extension" in config.get("disabledExtensions", []), config.get("disabledExtensions"))
    except Exception as error:  # an unreachable server or a missing key is this check's failure
        check("the learner's Lab serves the kernelspec and the course's settings", False, repr(error))


def kernel_port_blocks(names):
    """Per learner: the block of 50 ports (its first port) that every port of their running kernels
    lies in, as jupyter_server_config.py assigns them, or None."""
    import glob
    import pwd
    blocks = {}
    for name in names:
        user = pwd.getpwnam(name)
        ports = []
        for f in glob.glob(os.path.join(user.pw_dir, ".local", "share", "jupyter", "runtime", "kernel-*.json")):
            info = json.load(open(f))
            ports += [info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
        first = 10000 + user.pw_uid % ((low - 10000) // 50) * 50
        blocks[name] = first if ports and all(first <= p < first + 50 for p in ports) else None
    return blocks


def main():
    started = time.monotonic()
    if os.geteuid() != 0:
        print("test_hub: run as root (it creates system users and starts a hub)\n0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="hub-test-")
    harness.create_users(LEARNERS + [ADMIN])
    hub = harness.RunningHub(LEARNERS, ADMIN)
    try:
        print(f"hub ready in {hub.wait_ready():.0f} s (setup.sh; on the first run, its installs included)", flush=True)

        run = hub.classroom("run", "--json", os.path.join(work, "run.json"), *LEARNERS)
        print(run.stdout + run.stderr, flush=True)
        records = json.load(open(os.path.join(work, "run.json")))["records"] if os.path.exists(os.path.join(work, "run.json")) else []
        for name in LEARNERS:
            record = next((r for r in records if r["learner"] == name), {})
            check(f"{name}: notebook 01 ran in their kernel on the hub, with output, without error",
                  record and "error" not in record and record.get("first_output_s") is not None, json.dumps(record))
        running = harness.tslab_left(LEARNERS)
        check("while the servers run, each learner has a tslab kernel", len({pid for pid, _ in running}) >= len(LEARNERS), running)

        lab_settings(hub, LEARNERS[0])
        blocks = kernel_port_blocks(LEARNERS)
        check("each learner's kernel ports lie in their own block", all(blocks.values()) and len(set(blocks.values())) == len(LEARNERS), blocks)

        stop = hub.classroom("stop", *LEARNERS)
        check("classroom.py stop stops every server", stop.returncode == 0, stop.stdout + stop.stderr)
        check("no tslab process left after the servers stopped", wait_until(lambda: not harness.tslab_left(LEARNERS), 10),
              harness.tslab_left(LEARNERS))

        homes = [os.path.expanduser(f"~{n}") for n in LEARNERS]
        check("every home has notebook 01", all(os.path.exists(os.path.join(h, "cross-entropy", "notebooks", "01-logits.ipynb")) for h in homes))
        check("no solutions in any home", not harness.solutions_in_homes(LEARNERS), harness.solutions_in_homes(LEARNERS))

        graded = harness.grade(os.path.join(work, "class"), os.path.join(work, "gradebook"))
        print(graded.stdout[-1500:] + graded.stderr[-1500:], flush=True)
        check("grade.sh collects the 3 learners", graded.returncode == 0 and "collected 3 learners" in graded.stdout, graded.returncode)
        rows = list(csv.DictReader(open(os.path.join(work, "gradebook", "gradebook.csv")))) if graded.returncode == 0 else []
        learner_key = next((k for k in (rows[0] if rows else {}) if k.lower() == "learner"), "learner")
        notebook_key = next((k for k in (rows[0] if rows else {}) if k.lower() == "notebook"), "notebook")
        graded_learners = sorted({r[learner_key] for r in rows if r.get(notebook_key) == "01-logits.ipynb"})
        check("the gradebook has notebook 01 of each of the 3 learners", graded_learners == sorted(LEARNERS), graded_learners)

        warm = hub.classroom("warm", LEARNERS[0])
        print(warm.stdout + warm.stderr, flush=True)
        check("classroom.py warm starts a server and a kernel", warm.returncode == 0 and harness.tslab_left(LEARNERS[:1]),
              warm.stdout + warm.stderr)
    finally:
        hub.stop()
    check("no tslab process left after the hub stopped a running server", wait_until(lambda: not harness.tslab_left(LEARNERS), 10),
          harness.tslab_left(LEARNERS))
    problems = hub.log_problems()
    check("the hub's log has no errors", not problems, "\n      ".join(problems[:20]))
    harness.remove_users(LEARNERS + [ADMIN])
    print(f"hub test took {time.monotonic() - started:.0f} s")
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
