"""Runs test files in processes of their own, N at a time, for the
integration and browser runners (run.py of each).

A child is this same runner with one environment variable naming its file;
it prints its figures on its last line, as "<tag>: ..." numbers. A file's
output is printed whole when it ends, so the lines of files never mix. The
slowest files start first, as the last whole run measured them (a JSON file
of seconds; a new tree goes by file size).
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time

# A file still running after this long has hung: it fails (a whole
# module or browser file takes a minute at most).
CHILD_TIMEOUT = 900


def jobs_from(argv, variable):
    """(jobs, the other arguments): -j N first, else the environment
    variable, else the number of cores."""
    jobs = int(os.environ.get(variable) or os.cpu_count() or 1)
    if argv[:1] == ['-j']:
        return max(1, int(argv[1])), argv[2:]
    return max(1, jobs), argv


def run(runner, child_variable, paths, args, jobs, figures_re, times_file):
    """Runs `runner args` once per path with child_variable=path, jobs at a
    time. Returns {path: (figures, seconds, exit status)}, figures being
    the groups of figures_re's last match in the output (None when there
    was none: the child died or its file did not load). Writes the seconds
    to times_file when args is empty (a whole run)."""
    try:
        with open(times_file) as f:
            seconds = json.load(f)
    except (OSError, ValueError):
        seconds = {}
    todo = queue.Queue()
    for p in sorted(paths, key=lambda p: (seconds.get(os.path.basename(p), 0),
                                          os.path.getsize(p)), reverse=True):
        todo.put(p)
    results, lock = {}, threading.Lock()

    def worker():
        while True:
            try:
                path = todo.get_nowait()
            except queue.Empty:
                return
            began = time.monotonic()
            try:
                child = subprocess.run([sys.executable, runner] + args,
                                       env=dict(os.environ, **{child_variable: path}),
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       timeout=CHILD_TIMEOUT)
                out, status = child.stdout.decode('utf-8', errors='replace'), child.returncode
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b'').decode('utf-8', errors='replace') + \
                    f'\n{os.path.basename(path)}: stopped after {CHILD_TIMEOUT} s\n'
                status = -1
            took = time.monotonic() - began
            found = figures_re.findall(out)
            with lock:
                results[path] = (tuple(map(int, found[-1])) if found else None, took, status)
                if not found or any(map(int, found[-1])) or status:
                    print(f'== {os.path.basename(path)} ({took:.1f} s)\n{out}', flush=True)

    threads = [threading.Thread(target=worker) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in paths:             # a file whose thread died ran nothing: no pass
        results.setdefault(p, (None, 0.0, -1))
    if not args:
        os.makedirs(os.path.dirname(times_file), exist_ok=True)
        with open(times_file, 'w') as f:
            json.dump({os.path.basename(p): round(r[1], 1) for p, r in results.items()},
                      f, indent=1, sort_keys=True)
    return results
