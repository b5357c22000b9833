"""Runs the exported PyTorch programs for the export tests without importing torch for each (1.4 s a time on a
2-core machine): torch is imported once here, and each request forks a child that runs its program as
`python3 train.py ...` would, in its own folder, with its own arguments, environment and __main__, so nothing one
run sets (seeds, threads, imported modules) reaches another.

Protocol: one JSON request per line on stdin, {"cwd": ..., "argv": [...], "env": {...}}; one JSON reply per line
on stdout, {"status": ..., "stdout": ..., "stderr": ...}. Ends when stdin closes. A request with "ranks": N starts N
children at once, as torchrun starts ranks (RANK, LOCAL_RANK and WORLD_SIZE set; MASTER_ADDR and MASTER_PORT come
in "env"), and its reply is {"ranks": [one reply per rank]}.
"""
import importlib
import json
import os
import runpy
import sys
import tempfile
import traceback

importlib.import_module("torch")  # once, before any fork: the point of this process


def child(request, out, err):
    """In the forked child: become `python3 <argv>` in `cwd`, run, and leave with its exit status."""
    status = 0
    try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        os.chdir(request["cwd"])
        os.environ.update(request.get("env", {}))
        sys.argv = list(request["argv"])
        sys.path[0] = request["cwd"]
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as e:
        if isinstance(e.code, int):
            status = e.code
        elif e.code is not None:
            print(e.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def started(request):
    """A forked child running the request, with the files its output goes to."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        child(request, out, err)
    return pid, out, err


def finished(pid, out, err):
    _, wait_status = os.waitpid(pid, 0)
    out.seek(0)
    err.seek(0)
    reply = {
        "status": os.waitstatus_to_exitcode(wait_status),
        "stdout": out.read().decode("utf8", "replace"),
        "stderr": err.read().decode("utf8", "replace"),
    }
    out.close()
    err.close()
    return reply


def run(request):
    if "ranks" not in request:
        return finished(*started(request))
    n = request["ranks"]
    ranks = [dict(request, env=dict(request.get("env", {}), RANK=str(r), LOCAL_RANK=str(r), WORLD_SIZE=str(n)))
             for r in range(n)]
    children = [started(r) for r in ranks]
    return {"ranks": [finished(*c) for c in children]}


for line in sys.stdin:
    if line.strip():
        print(json.dumps(run(json.loads(line))), flush=True)
