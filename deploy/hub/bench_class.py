"""
npm run bench:class -- N [--warm] [--json FILE]   (as root, on the hub's machine; minutes)

A class of N simulated learners on the real classroom hub: N system users (cebench01..) are
created, the hub is started as a teacher would (deploy/hub/setup.sh, jupyterhub_config.py with
its marked places edited), and all N at once start their server and run notebook 01 cell by cell
in a tslab kernel, through the hub's REST API (deploy/hub/classroom.py run). With --warm, the
teacher's warm-up (classroom.py warm: every server and a notebook-01 kernel started before class)
runs first, and the class then starts on warm servers.

Prints: time to first output from the learner's arrival (median, p95, max), server start, all of
notebook 01, failures, memory per learner (PSS of their server and kernel, from
/proc/PID/smaps_rollup) and in total, CPU-seconds per learner during the class's start (and in
all, warm-up included), the hub's and proxy's CPU-seconds, the load average before and after, the
CPU model. Then the servers are stopped and checked for tslab kernels left behind, notebook 01 is
collected and graded (deploy/hub/grade.sh), the users are removed.
"""
import argparse
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from classroom import percentile  # noqa: E402


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def hub_and_proxy_cpu(hub):
    pids = [hub.process.pid]
    try:
        with open(os.path.join(hub.hub_dir, "jupyterhub-proxy.pid")) as f:
            pids.append(int(f.read().strip()))
    except (OSError, ValueError):
        pass
    return sum(cpu_seconds(p) for p in pids)


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    return f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f} / {max(values):.1f}"


def main():
    parser = argparse.ArgumentParser(prog="npm run bench:class --", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("learners", type=int, help="how many learners start together")
    parser.add_argument("--warm", action="store_true", help="warm every server and kernel up first (the teacher's classroom.py warm)")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    if args.learners < 1:
        parser.error(f"N = {args.learners}: expected a whole number of learners, at least 1")
    if os.geteuid() != 0:
        parser.error("run as root: it creates system users and starts a hub")
    names = [f"cebench{i:02d}" for i in range(1, args.learners + 1)]
    admin = "cebenchadmin"
    report = {"learners": args.learners, "warm": args.warm, **harness.machine()}
    harness.create_users(names + [admin])
    hub = harness.RunningHub(names, admin)
    work = os.path.join(hub.hub_dir, "bench")
    shutil.rmtree(work, ignore_errors=True)  # no gradebook of an earlier run to reuse
    os.makedirs(work)
    try:
        hub.wait_ready()
        if args.warm:
            started = time.monotonic()
            warm = hub.classroom("warm", *names)
            report["warm_s"] = time.monotonic() - started
            report["warm_ok"] = warm.returncode == 0
            print(warm.stdout.strip().splitlines()[-1] if warm.stdout.strip() else warm.stderr[-500:], flush=True)
            time.sleep(5)  # let the warm-up's last kernel replies settle before the load is read
        report["load_before"] = harness.loadavg()
        hub_cpu = hub_and_proxy_cpu(hub)
        started = time.monotonic()
        run = hub.classroom("run", "--json", os.path.join(work, "run.json"), *names)
        report["class_s"] = time.monotonic() - started
        report["hub_proxy_cpu_s"] = hub_and_proxy_cpu(hub) - hub_cpu
        report["load_after"] = harness.loadavg()
        records = json.load(open(os.path.join(work, "run.json")))["records"] if os.path.exists(os.path.join(work, "run.json")) else []
        if not records:
            print(run.stdout + run.stderr)
        report["records"] = records
        stop = hub.classroom("stop", *names)
        time.sleep(3)
        report["tslab_left"] = len(harness.tslab_left(names))
        report["stop_ok"] = stop.returncode == 0
        report["solutions_in_homes"] = len(harness.solutions_in_homes(names))
        graded = harness.grade(os.path.join(work, "class"), os.path.join(work, "gradebook"))
        report["graded_learners"] = sum(1 for line in graded.stdout.splitlines() if line.startswith("collected cebench"))
        report["grade_summary"] = next((line for line in graded.stdout.splitlines() if " learners, " in line), graded.stderr[-300:])
    finally:
        hub.stop()
        report["hub_log_problems"] = hub.log_problems()[:20]
        harness.remove_users(names + [admin])

    failures = [r for r in report["records"] if "error" in r]
    print(f"\nClass benchmark: {args.learners} learners starting together{' on warm servers' if args.warm else ''}, notebook 01 "
          f"on the classroom hub (JupyterHub 3.0, JupyterLab 4, tslab)")
    print(f"CPU: {report['cpu']} ({report['cores']} cores); load average (1, 5, 15 min) before "
          f"{report['load_before']}, after {report['load_after']}")
    if args.warm:
        print(f"warm-up before class (classroom.py warm): {report['warm_s']:.0f} s, {'ok' if report['warm_ok'] else 'FAILED'}")
    print("                                  median / p95 / max")
    print(f"  server start (s)                {stats([r.get('server_start_s') for r in report['records']])}")
    print(f"  arrival -> first output (s)     {stats([r.get('first_output_s') for r in report['records']])}")
    print(f"  arrival -> all of notebook 01 (s) {stats([r.get('all_cells_s') for r in report['records']])}")
    print(f"  PSS per learner (MiB)           {stats([r.get('pss_mib') for r in report['records']])}")
    print(f"    of which the tslab kernel     {stats([r.get('kernel_pss_mib') for r in report['records']])}")
    print(f"  CPU-s per learner, class start  {stats([r.get('cpu_s') for r in report['records']])}")
    if args.warm:
        print(f"  CPU-s per learner, in all       {stats([r.get('cpu_total_s') for r in report['records']])}")
    print(f"PSS in total: {sum(r.get('pss_mib', 0) for r in report['records']) / 1024:.2f} GiB; "
          f"hub and proxy: {report['hub_proxy_cpu_s']:.1f} CPU-s; whole class start: {report['class_s']:.0f} s")
    print(f"failures: {len(failures)}" + "".join(f"\n  {r['learner']}: {r['error']}" for r in failures))
    print(f"tslab kernels left after the servers stopped: {report['tslab_left']}")
    print(f"solutions in learners' homes: {report['solutions_in_homes']}")
    print(f"grading collected {report['graded_learners']} of {args.learners} learners: {report['grade_summary']}")
    print(f"errors in the hub's log: {len(report['hub_log_problems'])}" + "".join(f"\n  {p}" for p in report["hub_log_problems"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    ok = not failures and report["tslab_left"] == 0 and report["graded_learners"] == args.learners
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
