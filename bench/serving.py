"""`nqsite serve --port 0` on a site, for the benchmarks of the dev server."""
import contextlib, os, shutil, subprocess, sys, tempfile, time

DEFAULT_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "nqsite")


@contextlib.contextmanager
def serving(binary, root):
    """Yields (port, output folder) of a running `nqsite serve`; stops it and
    removes the output folder afterwards. Its messages go to a log file, so a
    chatty server never blocks on a full pipe."""
    out = tempfile.mkdtemp(prefix="nqsite-bench-")
    served = os.path.join(out, "site")
    log = open(os.path.join(out, "serve.log"), "w+")
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--root", root, "--output", served],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = proc.stdout.readline()
        if "http://" not in line:
            log.seek(0)
            sys.exit("serve did not start: " + line + log.read())
        yield int(line.split("http://")[1].split("/")[0].rsplit(":", 1)[1]), served
    finally:
        proc.terminate()
        proc.wait()
        log.close()
        shutil.rmtree(out, ignore_errors=True)


def wait_for(path, marker, t0):
    """Polls the file at `path` until it holds `marker` (a minute at most
    after `t0`, a `time.perf_counter()`)."""
    while True:
        try:
            if marker in open(path, encoding="utf-8").read():
                return
        except FileNotFoundError:
            pass
        if time.perf_counter() - t0 > 60:
            sys.exit(f"timeout waiting for {path}")
        time.sleep(0.001)
