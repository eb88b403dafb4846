"""
A real classroom hub for a test or a benchmark on this machine (root): system users created and
removed, deploy/hub/jupyterhub_config.py with its three marked places edited as a teacher would,
deploy/hub/setup.sh starting the hub on 127.0.0.1 (free ports), and its log.

Used by test/hub/test_hub.py (npm run test:hub) and deploy/hub/bench_class.py (npm run bench:class).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
COURSE = os.path.dirname(os.path.dirname(HERE))
# Kept between runs (the venv and the proxy take a minute to install); the hub's database is not.
TEST_HUB_DIR = os.environ.get("CROSS_ENTROPY_TEST_HUB_DIR", "/var/tmp/cross-entropy-hub-test")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_users(names):
    """Fresh system users (an old one of the same name is removed first, with its home)."""
    for name in names:
        remove_users([name])
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)


def remove_users(names):
    for name in names:
        if subprocess.run(["id", name], capture_output=True).returncode == 0:
            import pwd
            from classroom import processes_of
            for pid, _ in processes_of(pwd.getpwnam(name).pw_uid):  # this test user's processes, by id
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)
            subprocess.run(["userdel", "--remove", name], capture_output=True)


def edited_config(learners, admin, course, out):
    """The config with its three EDIT places set; fails if a marked line is not there exactly once."""
    with open(os.path.join(HERE, "jupyterhub_config.py")) as f:
        text = f.read()
    for name, value in (("LEARNERS", repr(set(learners))), ("ADMIN", repr(admin)), ("COURSE", repr(course))):
        text, n = re.subn(rf"^{name} = .*$", f"{name} = {value}", text, flags=re.M)
        if n != 1:
            raise RuntimeError(f"jupyterhub_config.py: expected one line `{name} = ...`, found {n}")
    with open(out, "w") as f:
        f.write(text)
    return out


class RunningHub:
    """setup.sh with the edited config, on 127.0.0.1; stop() ends it with SIGTERM as Ctrl-C would."""

    def __init__(self, learners, admin, hub_dir=TEST_HUB_DIR):
        self.hub_dir = hub_dir
        os.makedirs(hub_dir, exist_ok=True)
        for state in ("jupyterhub.sqlite", "jupyterhub_cookie_secret", "jupyterhub-proxy.pid"):
            if os.path.exists(os.path.join(hub_dir, state)):
                os.remove(os.path.join(hub_dir, state))
        self.config = edited_config(learners, admin, COURSE, os.path.join(hub_dir, "jupyterhub_config.py"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = os.path.join(hub_dir, "hub.log")
        self.env = dict(os.environ, CROSS_ENTROPY_HUB_DIR=hub_dir, CROSS_ENTROPY_HUB_CONFIG=self.config,
                        CROSS_ENTROPY_HUB_URL=self.url)
        args = [os.path.join(HERE, "setup.sh"), f"--JupyterHub.bind_url={self.url}",
                f"--JupyterHub.hub_port={free_port()}",
                f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"]
        self.started = time.monotonic()
        self.log = open(self.log_file, "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env, cwd=COURSE,
                                        start_new_session=True)

    def wait_ready(self, timeout=900):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.process.returncode}; see {self.log_file}")
            with open(self.log_file) as f:  # asking before the hub's route is in the proxy logs a 404 error
                if "JupyterHub is now running" not in f.read():
                    time.sleep(1)
                    continue
            try:
                with urllib.request.urlopen(self.url + "/hub/api", timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError(f"the hub did not answer within {timeout} s; see {self.log_file}")

    def classroom(self, *args, timeout=1800):
        return subprocess.run(["/usr/bin/python3", os.path.join(HERE, "classroom.py"), *args, "--hub", self.url],
                              env=self.env, capture_output=True, text=True, timeout=timeout)

    def stop(self, timeout=120):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def log_problems(self):
        """Lines of the hub's log (hub, proxy, single-user servers) at error level, and tracebacks."""
        with open(self.log_file) as f:
            return [line.rstrip() for line in f if re.match(r"\[E \d", line) or "Traceback" in line
                    or re.search(r"\[ConfigProxy\].*error", line)]


def tslab_left(names):
    """tslab processes still running as any of these users."""
    import pwd
    from classroom import tslab_processes
    return tslab_processes([pwd.getpwnam(n).pw_uid for n in names])


def solutions_in_homes(names):
    found = []
    for name in names:
        for folder, dirs, files in os.walk(os.path.expanduser(f"~{name}")):  # symlinks are not followed
            found += [os.path.join(folder, n) for n in dirs + files if "solution" in n.lower()]
    return found


def grade(class_dir, out, notebooks="01-logits.ipynb"):
    return subprocess.run([os.path.join(HERE, "grade.sh"), "--class", class_dir, "--notebooks", notebooks,
                           "--out", out, "--timeout", "180", "--jobs", "2"],
                          capture_output=True, text=True, timeout=3600)


def machine():
    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                  if line.startswith("Model name")), "unknown CPU")
    return {"cpu": model, "cores": os.cpu_count()}


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(v) for v in f.read().split()[:3]]
