#!/usr/bin/python3
"""Run the browser tests: every tests/browser/test_*.py (or the files named).

Each file gets a private demo stack (tests/integration/arbor_stack.py) of
its own; each of its scenarios gets a fresh browser. A scenario is a
function decorated with browser.scenario(name) that takes a Run. Screenshots go to
ARTIFACTS (default tests/artifacts). Environment: ROOT, BIN as for the
integration tests.

Usage: run.py [-j N] [FILE...]
Files run in processes of their own, N at a time (-j, default BROWSER_JOBS
or the number of cores): see tests/integration/parallel.py.
"""
import glob
import importlib.util
import os
import re
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TIMES = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'build', 'browser-times.json')
CHILD = 'ARBOR_BROWSER_FILE'          # set for a child: the file it runs
FIGURES = re.compile(r'^file-result: (\d+) passed, (\d+) failed$', re.M)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'integration'))

import arbor_stack  # noqa: E402
import browser  # noqa: E402
import parallel  # noqa: E402

class Run:
    """What a scenario works with: the stack and the browsers it opened."""

    def __init__(self, stack):
        self.stack = stack
        self.pages = []

    def page(self):
        """A new browser with a cookie jar of its own."""
        page = browser.Page(self.stack.url(''))
        self.pages.append(page)
        return page

    def problems(self):
        return [p for page in self.pages for p in page.problems]

    def close(self):
        for page in self.pages:
            page.close()


def run_file(path):
    """Run the scenarios of one file on a stack of its own: (passed, failed)."""
    del browser.SCENARIOS[:]
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    passed = failed = 0
    stack = arbor_stack.Stack()
    stack.start()
    try:
        for name, fn in browser.SCENARIOS:
            run = Run(stack)
            try:
                fn(run)
                problems = run.problems()
                if problems:
                    raise AssertionError('\n'.join(problems))
                checked = sorted({p for page in run.pages for p in page.checked})
                print(f'ok - {name} (axe: {", ".join(checked)})')
                passed += 1
            except Exception:
                print(f'not ok - {name}\n{traceback.format_exc()}')
                failed += 1
            finally:
                run.close()
    finally:
        try:
            stack.stop()
        except arbor_stack.StackError:
            failed += 1
    return passed, failed


def run_child(path):
    """The child: one file's scenarios, then its figures on the last line."""
    try:
        passed, failed = run_file(path)
    except Exception:
        traceback.print_exc()
        passed, failed = 0, 1
    print(f'file-result: {passed} passed, {failed} failed', flush=True)
    return 0 if failed == 0 else 1


def main(argv):
    if not os.path.exists(browser.AXE_JS):
        print(f'browser: {browser.AXE_JS} is missing: run `npm ci` in {HERE}',
              file=sys.stderr)
        return 2
    if os.environ.get(CHILD):
        return run_child(os.environ[CHILD])
    jobs, argv = parallel.jobs_from(argv, 'BROWSER_JOBS')
    files = [os.path.abspath(f) for f in argv] or \
        sorted(glob.glob(os.path.join(HERE, 'test_*.py')))
    began = time.monotonic()
    results = parallel.run(os.path.abspath(__file__), CHILD, files, argv, jobs, FIGURES, TIMES)
    passed = failed = 0
    for figures, _, status in results.values():
        p, f = figures or (0, 1)
        passed, failed = passed + p, failed + (f or int(status != 0))
    print(f'browser: {passed} passed, {failed} failed in {time.monotonic() - began:.0f} s '
          f'({len(files)} files, {jobs} at a time)')
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
