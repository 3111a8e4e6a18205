"""`nqsite serve --port 0` on a site, for the benchmarks of the dev server."""
import collections, contextlib, os, shutil, subprocess, sys, tempfile, time

DEFAULT_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "nqsite")


Server = collections.namedtuple("Server", "port folder pid")


@contextlib.contextmanager
def serving(binary, root, prefix=()):
    """Yields a `Server` (port, output folder, process id) of a running
    `nqsite serve`, run under the command `prefix` if given (valgrind…);
    stops it and removes the output folder afterwards. Its messages go to a
    log file, so a chatty server never blocks on a full pipe."""
    out = tempfile.mkdtemp(prefix="nqsite-bench-")
    served = os.path.join(out, "site")
    log = open(os.path.join(out, "serve.log"), "w+")
    proc = subprocess.Popen([*prefix, binary, "serve", "--port", "0", "--root", root, "--output", served],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = proc.stdout.readline()
        if "http://" not in line:
            log.seek(0)
            sys.exit("serve did not start: " + line + log.read())
        yield Server(int(line.split("http://")[1].split("/")[0].rsplit(":", 1)[1]), served, proc.pid)
    finally:
        proc.terminate()
        proc.wait()
        log.close()
        shutil.rmtree(out, ignore_errors=True)


def wait_for(path, marker, t0, limit_s=60, poll_s=0.001):
    """Polls the file at `path` every `poll_s` until it holds `marker`
    (`limit_s` at most after `t0`, a `time.perf_counter()`)."""
    while True:
        try:
            if marker in open(path, encoding="utf-8").read():
                return
        except FileNotFoundError:
            pass
        if time.perf_counter() - t0 > limit_s:
            sys.exit(f"timeout waiting for {path}")
        time.sleep(poll_s)
