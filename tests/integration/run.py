#!/usr/bin/python3
"""Run the integration tests: every tests/integration/test_*.py, verbosely.

Usage: run.py [-j N] [PATTERN...]
A PATTERN selects tests whose dotted name (module.Class.method) matches it,
like unittest's -k: a plain word matches as a substring (case-sensitive),
'*' and '?' glob. Example: run.py Logout test_valgrind
Exits 0 when no test failed and some test ran or was skipped.

Each module runs in a process of its own (every module starts its own
stack on a free port), N at a time (-j, default INTEGRATION_JOBS or the
number of cores): see parallel.py.
"""
import glob
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import parallel  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
TIMES = os.path.join(ROOT, 'build', 'integration-times.json')
CHILD = 'ARBOR_TEST_MODULE'           # set for a child: the module file it runs
FIGURES = re.compile(r'^module-result: (\d+) ran, (\d+) passed, (\d+) failed, (\d+) skipped$',
                     re.M)


def count(result):
    """(tests passed, failures): a test with failing subtests counts once,
    a failing setUpModule or tearDownModule counts as one failure."""
    def tests(entries):
        return {getattr(t, 'test_case', t) for t in entries}
    failed = tests(t for t, _ in result.failures + result.errors) | \
        tests(result.unexpectedSuccesses)
    skipped = tests(t for t, _ in result.skipped)
    not_passed = {t for t in failed | skipped if isinstance(t, unittest.TestCase)}
    return result.testsRun - len(not_passed), len(failed)


def run_module(path, patterns):
    """The child: one module's tests, then its figures on the last line."""
    loader = unittest.TestLoader()
    loader.testNamePatterns = patterns or None
    suite = loader.loadTestsFromName(os.path.basename(path)[:-3])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    passed, failed = count(result)
    print(f'module-result: {result.testsRun} ran, {passed} passed, {failed} failed, '
          f'{len(result.skipped)} skipped')
    return 0 if result.wasSuccessful() else 1


def main(argv):
    jobs, argv = parallel.jobs_from(argv, 'INTEGRATION_JOBS')
    patterns = [p if '*' in p or '?' in p else f'*{p}*' for p in argv]
    if os.environ.get(CHILD):
        return run_module(os.environ[CHILD], patterns)
    began = time.monotonic()
    modules = sorted(glob.glob(os.path.join(HERE, 'test_*.py')))
    results = parallel.run(os.path.abspath(__file__), CHILD, modules, argv, jobs,
                           FIGURES, TIMES)
    ran = passed = failed = skipped = 0
    broken = []
    for path, (figures, _, status) in sorted(results.items()):
        if figures is None or (status != 0 and figures[2] == 0):
            broken.append(os.path.basename(path))    # did not load, or died
            figures = (0, 0, 1, 0) if figures is None else figures[:2] + (1, figures[3])
        ran, passed, failed, skipped = (a + b for a, b in
                                        zip((ran, passed, failed, skipped), figures))
    print(f'integration: {passed} passed, {failed} failed, {skipped} skipped '
          f'in {time.monotonic() - began:.0f} s ({len(modules)} modules, {jobs} at a time)')
    if broken:
        print('modules that did not finish cleanly: ' + ', '.join(broken), file=sys.stderr)
    if ran == 0 and not failed:
        print('no test matched', argv, file=sys.stderr)
        return 1
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
