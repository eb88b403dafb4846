# The course image: JupyterLab 4 with the TypeScript (tslab) kernel, the module and the course's
# notebooks, for one learner; and, following Binder's conventions, the single-user image for
# Binder and for Zero to JupyterHub (`singleuser.image`).
#
#   podman build -t cross-entropy-course .                           # learners: no solutions
#   podman build -t cross-entropy-course-teacher --build-arg SOLUTIONS=yes .
#   podman run --rm -p 127.0.0.1:8888:8888 cross-entropy-course      # JupyterLab on :8888
#
# The build needs pip's and npm's registries. `npm run image:test` (deploy/image/test.sh) builds
# and tests it on a machine whose registries sit behind a local mirror.

# --- build: the module (dist/, with the generated WebAssembly kernel), with every dev dependency
FROM node:24-bookworm-slim AS build
WORKDIR /course
COPY package.json package-lock.json ./
# package.json overrides three of danfo's dependencies with these folders.
COPY src/shims src/shims
# No install scripts: the only one, zeromq's (tslab's), builds from source when its bundled
# prebuilds do not fit, and they do; `prepare` (the build) runs below, once src/ is here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src src
RUN npm run build

# --- runtime: what a learner's kernel loads (dependencies only: no vitest, playwright, wabt)
FROM node:24-bookworm-slim AS runtime
WORKDIR /course
COPY package.json package-lock.json README.md ./
COPY src/shims src/shims
RUN set -eu; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund; \
    rm -rf /root/.npm; \
    # zeromq (tslab's) carries prebuilt addons for every system; this one's is enough.
    arch=$(node -p process.arch); \
    for d in node_modules/zeromq/build/*/ node_modules/zeromq/build/linux/*/; do \
      case "$d" in */build/linux/|*/build/linux/"$arch"/) ;; *) rm -r "$d" ;; esac; \
    done; \
    # tslab compiles cells with typescript.js; its TypeScript's language server is never run.
    rm node_modules/@tslab/typescript-for-tslab/lib/tsserver.js \
       node_modules/@tslab/typescript-for-tslab/lib/tsserverlibrary.js \
       node_modules/@tslab/typescript-for-tslab/lib/typingsInstaller.js
COPY --from=build /course/dist dist
# The build's source maps point into src/, which the image does not carry: 0.6 MB of nothing.
RUN find dist -name '*.map' -delete
COPY data data
COPY notebooks notebooks
# Learners get no solutions; a teacher's image is built with --build-arg SOLUTIONS=yes.
ARG SOLUTIONS=no
RUN case "$SOLUTIONS" in \
      yes) ;; \
      no) rm -r notebooks/solutions ;; \
      *) echo "SOLUTIONS=$SOLUTIONS: expected yes or no" >&2; exit 1 ;; \
    esac

# --- the image: Binder's conventions (user NB_USER with UID 1000, the course in its home)
FROM node:24-bookworm-slim
ARG NB_USER=jovyan
ARG NB_UID=1000
ENV NB_USER=${NB_USER} \
    NB_UID=${NB_UID} \
    HOME=/home/${NB_USER} \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:${PATH}

# JupyterLab 4 from pip, in a venv that also sees Debian's Python packages, where the
# single-user server of Debian's JupyterHub 3.0 lives (pip's index may have no jupyterhub).
# The hub's proxy and the classic Notebook, which that package also depends on, are left out
# (deploy/image/singleuser-only says why). jupyterhub-singleuser runs from the venv's Python,
# so that it serves the venv's JupyterLab 4 and jupyter_server 2.
COPY deploy/image/singleuser-only /tmp/singleuser-only
RUN set -eux; \
    userdel --remove node; \
    useradd --uid "${NB_UID}" --user-group --create-home --shell /bin/bash "${NB_USER}"; \
    dpkg-deb --build /tmp/singleuser-only /tmp/singleuser-only.deb >/dev/null; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends python3-venv /tmp/singleuser-only.deb jupyterhub >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /tmp/singleuser-only*
RUN set -eux; \
    python3 -m venv --system-site-packages /opt/venv; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --quiet 'jupyterlab>=4,<5'; \
    # The course's kernel is tslab. JupyterLab depends on ipykernel so that a Python kernel is
    # there; here it would only put a Python launcher beside the course's, with IPython, jedi
    # and debugpy (75 MB) that nothing else uses.
    /opt/venv/bin/pip uninstall --no-cache-dir --yes --quiet ipykernel ipython ipython_pygments_lexers jedi parso debugpy comm \
      psutil matplotlib-inline prompt_toolkit wcwidth stack_data executing asttokens pure_eval pexpect; \
    sed '1s|^#!.*|#!/opt/venv/bin/python3|' /usr/bin/jupyterhub-singleuser >/opt/venv/bin/jupyterhub-singleuser; \
    chmod 755 /opt/venv/bin/jupyterhub-singleuser

# The course lives outside the home, which a volume may hide (Zero to JupyterHub mounts one over
# /home/jovyan): the learner's copy is made from here by the entrypoint below.
COPY --from=runtime /course /opt/course
# The tslab kernelspec and the course's Lab settings (debugger off, news off, wrapped lines),
# written by the course's own code into the venv's Jupyter prefix, where every Jupyter run from
# it finds them: /opt/venv/share/jupyter/kernels/tslab, /opt/venv/etc/jupyter/labconfig.
RUN node /opt/course/dist/commands/kernelspec.js --prefix /opt/venv
COPY deploy/image/entrypoint.sh /usr/local/bin/course-entrypoint

USER ${NB_UID}
WORKDIR ${HOME}
EXPOSE 8888
# Gives the home the course at every start, whether it is the image's own (Binder, a plain
# `podman run`) or a volume (Zero to JupyterHub), then runs the command: deploy/image/entrypoint.sh.
# It replaces the base image's entrypoint, which would put `node` in front of a command it does
# not find.
ENTRYPOINT ["course-entrypoint"]
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--ServerApp.default_url=/lab/tree/notebooks"]
