"""
The classroom hub for the cross-entropy course: one server, local learners.

Edit the three places marked EDIT below (who may log in, the admin, where the course lives);
`deploy/hub/setup.sh` does the rest and starts the hub with this file.

Supported: JupyterHub 3.0 (Debian 12's `jupyterhub` package; pip's index on the course's
machines has none), with single-user servers from jupyter_server 2 / JupyterLab 4 in a venv
over Debian's Python. Nothing here is specific to 3.0: the options used exist unchanged in
JupyterHub 4 and 5, but only 3.0 is tested (deploy/hub/test_hub.py).

Learners are system users (PAM, the default authenticator; their Unix password is their hub
password) and each server runs as its learner (LocalProcessSpawner), so the hub runs as root.
"""
import os
import pwd
import shutil

# ---------------------------------------------------------------------------------------------
# EDIT 1 of 3: who may log in. System user names (create them with `sudo adduser NAME`).
LEARNERS = {"learner01", "learner02", "learner03"}

# EDIT 2 of 3: the admin (a system user too): sees every learner's server on /hub/admin.
ADMIN = "teacher"

# EDIT 3 of 3: where the course lives: a checkout, built (`npm ci`), readable by every learner.
COURSE = "/srv/cross-entropy-course"
# ---------------------------------------------------------------------------------------------

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

# Where setup.sh put the single-user environment and the hub's own state.
HUB_DIR = os.environ.get("CROSS_ENTROPY_HUB_DIR", "/opt/cross-entropy-hub")
VENV = os.path.join(HUB_DIR, "venv")
# The folder each learner's copy of the course goes in, inside their home.
LEARNER_FOLDER = "cross-entropy"

# --- Who --------------------------------------------------------------------------------------
c.Authenticator.allowed_users = set(LEARNERS)
c.Authenticator.admin_users = {ADMIN}

# --- The hub's own files and address ----------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{HUB_DIR}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = os.path.join(HUB_DIR, "jupyterhub_cookie_secret")
c.JupyterHub.bind_url = "http://:8000"  # all interfaces; put HTTPS in front for a real class
# configurable-http-proxy from npm, installed by setup.sh.
c.ConfigurableHTTPProxy.command = [os.path.join(HUB_DIR, "proxy", "node_modules", ".bin", "configurable-http-proxy")]

# The teacher's tools (deploy/hub/classroom.py: warm-up before class, the class benchmark, the
# test) talk to the hub's REST API with this service's token, which setup.sh writes.
TOKEN_FILE = os.path.join(HUB_DIR, "teacher-tools.token")
if os.path.exists(TOKEN_FILE):
    with open(TOKEN_FILE) as f:
        c.JupyterHub.services = [{"name": "teacher-tools", "api_token": f.read().strip()}]
    c.JupyterHub.load_roles = [{
        "name": "teacher-tools",
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"],
        "services": ["teacher-tools"],
    }]

# --- The single-user server: JupyterLab 4 from the venv -----------------------------------------
# Run with the venv's python, so its prefix is Jupyter's environment: the tslab kernelspec in
# VENV/share/jupyter/kernels/tslab, the Lab settings (debugger off, news off, line wrapping) in
# VENV/etc/jupyter/labconfig, and the server settings below in VENV/etc/jupyter, all written there
# by setup.sh (`node dist/commands/kernelspec.js --prefix VENV`; jupyter_server_config.py).
c.Spawner.cmd = [os.path.join(VENV, "bin", "python"), "-m", "jupyterhub.singleuser"]
c.Spawner.notebook_dir = f"~/{LEARNER_FOLDER}/notebooks"
c.Spawner.default_url = "/lab/tree/01-logits.ipynb"

# --- Timeouts sized for a class that starts at once ---------------------------------------------
# Measured on a 2-core machine, 30 learners starting together: server start p95 53 s, max 53 s in the
# teacher's trial (issue 23), where the default http_timeout of 30 s failed one of them; p95 52 s,
# max 53 s with this config (npm run bench:class -- 30, load average 18 from other work before).
# Four times the worst start measured:
c.Spawner.http_timeout = 240   # process started -> server answers
c.Spawner.start_timeout = 300  # spawn requested -> process started (includes seeding the home)
# Stopping: SIGINT, which jupyter_server_config.py turns into a clean stop that shuts the
# kernels down first (a tslab kernel takes well under a second); then SIGTERM, then SIGKILL.
c.LocalProcessSpawner.interrupt_timeout = 30
c.LocalProcessSpawner.term_timeout = 10
# Hub checks for servers that stopped by themselves (idle shutdown) this often, in seconds.
c.Spawner.poll_interval = 60
# Spawn requests all accepted at once: the class starts together (the default is 100).
c.JupyterHub.concurrent_spawn_limit = 200


# --- Each learner's copy of the course, on first spawn --------------------------------------------
def seed_home(spawner):
    """~/cross-entropy: the notebooks (the learner's to change), without solutions/, and links to
    the course's package.json, dist/, node_modules/ and data/, so `import ... from ".."` in a
    notebook finds the shared build. Only when the learner has no notebooks folder yet: a
    learner's work is never overwritten. To reset a learner, delete ~/cross-entropy/notebooks."""
    user = pwd.getpwnam(spawner.user.name)
    root = os.path.join(user.pw_dir, LEARNER_FOLDER)
    notebooks = os.path.join(root, "notebooks")
    if os.path.exists(notebooks):
        return
    if not os.path.isdir(os.path.join(COURSE, "dist")):
        raise RuntimeError(f"COURSE = {COURSE!r} has no dist/: clone and build the course there (npm ci)")
    os.makedirs(root, exist_ok=True)
    for name in ("package.json", "dist", "node_modules", "data"):
        link = os.path.join(root, name)
        if not os.path.lexists(link):
            os.symlink(os.path.join(COURSE, name), link)
    shutil.copytree(os.path.join(COURSE, "notebooks"), notebooks,
                    ignore=shutil.ignore_patterns("solutions", ".ipynb_checkpoints"))
    for folder, dirs, files in os.walk(root):
        for name in [folder] + [os.path.join(folder, n) for n in dirs + files]:
            os.lchown(name, user.pw_uid, user.pw_gid)
    spawner.log.info("seeded %s from %s (without solutions/)", root, COURSE)


c.Spawner.pre_spawn_hook = seed_home
