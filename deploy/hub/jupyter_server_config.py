"""
Settings for every learner's single-user server; setup.sh copies this file into the hub's venv
(VENV/etc/jupyter/jupyter_server_config.py), where the server reads it.
"""
import os
import signal
import socket

from jupyter_client.connect import LocalPortCache
from jupyter_server.serverapp import ServerApp

c = get_config()  # noqa: F821

# A clean stop on SIGINT. JupyterHub 3's LocalProcessSpawner stops a server (stop button, idle
# culling, hub shutdown) with SIGINT. jupyter_server 2 handles SIGTERM with a clean stop, which
# shuts the kernels down, but without a terminal it leaves SIGINT to Python's default: a
# KeyboardInterrupt that ends the server and leaves its kernels running. Python kernels notice and
# exit; tslab kernels live on under PID 1, about 215 MB each. Here SIGINT takes SIGTERM's path.
# (JupyterHub 5 sets the same in its own single-user app; jupyterhub PR 4864.)
_init_signal = ServerApp.init_signal


def _init_signal_with_clean_sigint(self):
    _init_signal(self)
    signal.signal(signal.SIGINT, self._signal_stop)


ServerApp.init_signal = _init_signal_with_clean_sigint

# Idle culling, by the server itself (jupyterhub-idle-culler cannot be installed here).
# A kernel no browser tab has used for an hour is shut down (checked every 5 minutes); a kernel
# with a tab open is kept, however idle, so a learner never loses variables mid-lesson.
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300
c.MappingKernelManager.cull_connected = False
# A server with no kernel and no request for 30 minutes stops, which frees its ~110 MiB; the
# learner's next visit starts it again (their files stay).
c.ServerApp.shutdown_no_activity_timeout = 1800

# Kernel ports that no other learner's server can take. jupyter_client picks each kernel's five
# ports by binding port 0 and letting go: a free ephemeral port, which another learner's server
# (or any outgoing connection) may take before this learner's kernel binds it. With a class
# starting at once that happened (10 learners, 2 cores: one tslab kernel died with EADDRINUSE and
# its server read another kernel's messages, "Invalid Signature"). Here each learner has a block
# of 50 ports of their own, chosen by their uid, below the system's ephemeral range; a block
# serves 10 kernels at once, and the next free port elsewhere is taken only when it is full.
PORTS_PER_LEARNER = 50
with open("/proc/sys/net/ipv4/ip_local_port_range") as _f:
    _ephemeral_low = int(_f.read().split()[0])
_blocks = (_ephemeral_low - 10000) // PORTS_PER_LEARNER
_first_port = 10000 + (os.getuid() % _blocks) * PORTS_PER_LEARNER
_find_any_port = LocalPortCache.find_available_port


def _find_learner_port(self, ip):
    for port in range(_first_port, _first_port + PORTS_PER_LEARNER):
        if port in self.currently_used_ports:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((ip, port))
            except OSError:
                continue
        self.currently_used_ports.add(port)
        return port
    return _find_any_port(self, ip)


LocalPortCache.find_available_port = _find_learner_port
