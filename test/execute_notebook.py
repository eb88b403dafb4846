"""Execute one notebook top to bottom, the way a learner runs every cell.

usage: /usr/bin/python3 test/execute_notebook.py NOTEBOOK [--output EXECUTED.ipynb]
                                                [--timeout SECONDS] [--kernel tslab]

The kernel starts in the notebook's own folder (as JupyterLab starts it), so
`import { softmax } from ".."` reaches the repo's package.json. The notebook on disk
is never written; --output writes the executed copy elsewhere (used by `npm run html`).

Exit 0: every cell ran. Exit 1: a cell failed; stderr names the cell (index and first
source line) and shows what the kernel wrote to stderr. tslab sends an error reply
without a traceback, so the cell's stderr stream is the only message there is.
Exit 2: Jupyter's Python packages are missing, or the arguments are wrong.

JUPYTER_PATH must let Jupyter find the "tslab" kernelspec: `npm test` and
`npm run html` set it (see src/commands/kernelspec.ts).
"""

import argparse
import os
import re
import sys
import time

INSTALL_HINT = (
    "Install Jupyter's Python packages for /usr/bin/python3:\n"
    "  Debian/Ubuntu: sudo apt-get install -y python3-nbclient jupyter-client\n"
    "  elsewhere:     pip install nbclient ipykernel jupyter_client"
)

try:
    import nbformat
    from nbclient import NotebookClient
except ImportError as error:
    print(f"execute_notebook.py: {error}\n{INSTALL_HINT}", file=sys.stderr)
    sys.exit(2)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def first_line(cell):
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return lines[0].strip() if lines else "<empty>"


def cell_messages(cell):
    """What the cell wrote to stderr, plus any error output, as plain text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            traceback = "\n".join(output.get("traceback", []))
            parts.append(traceback or f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return ANSI.sub("", "".join(parts)).rstrip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--output", help="write the executed notebook here (never into the source notebook)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell (default 120)")
    parser.add_argument("--kernel", default="tslab", help="kernelspec name (default tslab)")
    args = parser.parse_args()

    source = os.path.abspath(args.notebook)
    if args.output and os.path.abspath(args.output) == source:
        parser.error("--output must not be the notebook itself")
    nb = nbformat.read(source, as_version=4)
    folder = os.path.dirname(source)
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        startup_timeout=120,
        kernel_name=args.kernel,
        resources={"metadata": {"path": folder}},
    )

    current = {}

    def on_cell_start(cell, cell_index):
        current.update(cell=cell, index=cell_index)

    client.on_cell_start = on_cell_start
    started = time.monotonic()
    try:
        client.execute(cwd=folder)
    except Exception as error:  # CellExecutionError, CellTimeoutError, DeadKernelError, NoSuchKernel
        if "cell" not in current:  # the kernel never ran a cell: no kernelspec, tslab missing, ...
            print(f"{args.notebook}: the {args.kernel!r} kernel failed to start: "
                  f"{type(error).__name__}: {error}", file=sys.stderr)
            return 1
        cell, index = current["cell"], current["index"]
        stderr = cell_messages(cell) or ANSI.sub("", str(error)).strip() or type(error).__name__
        print(f"{args.notebook}: cell {index} failed ({type(error).__name__}): {first_line(cell)}\n"
              f"--- kernel stderr ---\n{stderr}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started

    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        nbformat.write(nb, args.output)
    code_cells = sum(1 for cell in nb.cells if cell.cell_type == "code")
    print(f"ok {args.notebook}: {code_cells} code cells in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
