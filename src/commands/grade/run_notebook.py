"""Run one learner's notebook for the grader (src/commands/grade/execute.ts), as "Run All" does.

usage: /usr/bin/python3 src/commands/grade/run_notebook.py JOB.json

JOB.json holds: notebook (the scratch copy to run), output (where the executed copy goes),
result (where this script writes what happened), pid_file (the kernel's pid, so the grader
can kill it), kernel (kernelspec name), cell_timeout (seconds), kernel_env (the kernel's whole
environment), nonce (the run's secret) and grader_cells ([{exercise, source}]).

The learner's code cells run top to bottom in one kernel started in the notebook's folder,
and the run stops at the first cell that fails, like "Run All" in JupyterLab. Then, for each
exercise whose checker left no record stamped with this run's nonce (a learner who called it
quietly, or who replaced `exercises` with a fake), the matching grader cell runs the course's
checker on the learner's function. Saved outputs are dropped before anything runs.

result = {"status": "ran" | "invalid" | "cell-failed" | "kernel-died" | "timeout"
                     | "kernel-failed", "learner_cells": N, "cell": {index, first_line,
                     message} (the failing cell), "message": "..."}
The whole run's time limit is the grader's job: it kills this process group and the kernel's.
"""

import json
import os
import re
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

RECORD_MIME = "application/vnd.cross-entropy-course.exercise+json"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ERROR_LINE = re.compile(r"^(Uncaught )?([A-Za-z_$][\w$]*)?(Error|Exception)\b.*$", re.MULTILINE)


def first_line(source):
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return lines[0] if lines else ""


def cell_message(cell, error):
    """The first line the cell wrote to stderr or as an error: tslab sends no traceback."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    text = ANSI.sub("", "".join(parts))
    # A runtime error prints where it happened first ("evalmachine.<anonymous>:2", the line, a
    # caret), then "Error: message"; a compile error is one line, "2:9 - Type ... ".
    thrown = ERROR_LINE.search(text)
    if thrown:
        return thrown.group(0).strip()
    return first_line(text) or first_line(ANSI.sub("", str(error))) or type(error).__name__


def verified_exercises(nb, nonce):
    """Exercises with a record stamped with this run's nonce."""
    found = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(RECORD_MIME)
            if isinstance(record, str):
                try:
                    record = json.loads(record)
                except ValueError:
                    continue
            if isinstance(record, dict) and record.get("nonce") == nonce:
                found.add(record.get("exercise"))
    return found


def prepare(nb):
    """Drops saved outputs (they may hold forged records) and the tag that lets a cell fail."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        tags = cell.metadata.get("tags")
        if isinstance(tags, list) and "raises-exception" in tags:
            cell.metadata["tags"] = [tag for tag in tags if tag != "raises-exception"]


def run(job):
    try:
        with open(job["notebook"], encoding="utf-8") as file:
            nb = nbformat.reads(file.read(), as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # nbformat raises many kinds: ValidationError, KeyError, ...
        return {"status": "invalid", "message": first_line(str(error)) or type(error).__name__}, None

    prepare(nb)
    learner_cells = len(nb.cells)
    folder = os.path.dirname(os.path.abspath(job["notebook"]))
    client = NotebookClient(
        nb,
        timeout=job["cell_timeout"],
        startup_timeout=min(120, job["cell_timeout"]),
        kernel_name=job["kernel"],
        allow_errors=False,
        resources={"metadata": {"path": folder}},
    )
    result = {"status": "ran", "learner_cells": learner_cells}
    current = None
    client.reset_execution_trackers()
    try:
        with client.setup_kernel(cwd=folder, env=job["kernel_env"]):
            provisioner = getattr(client.km, "provisioner", None)
            pid = getattr(provisioner, "pid", None)
            if pid:
                with open(job["pid_file"], "w", encoding="utf-8") as file:
                    file.write(str(pid))
            for index in range(learner_cells):
                current = index
                client.execute_cell(nb.cells[index], index, execution_count=client.code_cells_executed + 1)
            current = None
            checked = verified_exercises(nb, job["nonce"])
            for grader_cell in job["grader_cells"]:
                if grader_cell["exercise"] in checked:
                    continue
                cell = nbformat.v4.new_code_cell(grader_cell["source"])
                cell.metadata["tags"] = ["raises-exception"]
                cell.metadata["grader"] = {"exercise": grader_cell["exercise"]}
                nb.cells.append(cell)
                current = len(nb.cells) - 1
                client.execute_cell(cell, current, execution_count=client.code_cells_executed + 1)
                current = None
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        status = {CellTimeoutError: "timeout", DeadKernelError: "kernel-died"}.get(type(error), "cell-failed")
        result["status"] = status
        if current is not None:
            cell = nb.cells[current]
            result["cell"] = {
                "index": current,
                "first_line": first_line(cell.source),
                "message": cell_message(cell, error),
            }
    except Exception as error:  # the kernel did not start: no kernelspec, tslab missing, ...
        result["status"] = "kernel-failed" if current is None else "kernel-died"
        result["message"] = first_line(ANSI.sub("", str(error))) or type(error).__name__
    return result, nb


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        job = json.load(file)
    result, nb = run(job)
    if nb is not None:
        nbformat.write(nb, job["output"])
    with open(job["result"], "w", encoding="utf-8") as file:
        json.dump(result, file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
