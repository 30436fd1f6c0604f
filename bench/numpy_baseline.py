"""numpy side of bench/projection.ts. `--probe` prints numpy's version and the BLAS it runs on.
Otherwise it loads the same W (float32, row-major) and h the bench wrote, then answers
commands on stdin with JSON lines:
  mv N   -> N timings (ms) of z = W @ h
  sum N  -> N timings (ms) of W.sum() (one full read of W)
  z PATH -> writes z = W @ h (float32) to PATH
"""
import json
import sys
import time


def classify(path):
    low = path.lower()
    for kind, key in (("OpenBLAS", "openblas"), ("BLIS", "blis"), ("MKL", "mkl"), ("ATLAS", "atlas")):
        if key in low:
            return kind
    return "reference BLAS" if "libblas" in low else None


def mapped_files():
    """(start, end, path) of every file mapped into this process (Linux)."""
    out = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) >= 6 and parts[5].startswith("/"):
                    lo, hi = (int(x, 16) for x in parts[0].split("-"))
                    out.append((lo, hi, parts[5]))
    except OSError:
        pass
    return out


def blas_in_use():
    """Which BLAS library numpy's float32 matrix-vector product runs on, as (kind, path).

    The address numpy's own module resolves cblas_sgemv to, looked up among the mapped files (this sees
    Debian's libblas.so.3 alternative and LD_LIBRARY_PATH); else threadpoolctl; else numpy's build config.
    """
    import ctypes

    import numpy as np

    np.ones((64, 64), dtype=np.float32) @ np.ones(64, dtype=np.float32)
    try:
        from numpy.core import _multiarray_umath as core
    except ImportError:
        from numpy._core import _multiarray_umath as core
    module = ctypes.CDLL(core.__file__)
    for symbol in ("cblas_sgemv", "scipy_cblas_sgemv", "cblas_sgemv64_", "scipy_cblas_sgemv64_"):
        try:
            address = ctypes.cast(getattr(module, symbol), ctypes.c_void_p).value
        except AttributeError:
            continue
        for lo, hi, path in mapped_files():
            if lo <= address < hi and classify(path):
                return classify(path), path
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas":
                return classify(info["filepath"]) or info["internal_api"], info["filepath"]
    except ImportError:
        pass
    try:
        return np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"], "numpy build config"
    except Exception:
        return "unknown", ""


if len(sys.argv) > 1 and sys.argv[1] == "--probe":
    try:
        import numpy as np
    except ImportError as error:
        print(json.dumps({"error": str(error)}), flush=True)
        sys.exit(0)
    kind, path = blas_in_use()
    print(json.dumps({"numpy": np.__version__, "blas": kind, "path": path}), flush=True)
    sys.exit(0)

import numpy as np

w_path, h_path, rows, cols = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
W = np.fromfile(w_path, dtype=np.float32).reshape(rows, cols)
h = np.fromfile(h_path, dtype=np.float32)
W @ h
print(json.dumps({"ready": True, "numpy": np.__version__}), flush=True)


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1e3)
    return out


for line in sys.stdin:
    cmd, _, arg = line.strip().partition(" ")
    if cmd == "mv":
        print(json.dumps(timed(lambda: W @ h, int(arg))), flush=True)
    elif cmd == "sum":
        print(json.dumps(timed(lambda: W.sum(), int(arg))), flush=True)
    elif cmd == "z":
        (W @ h).astype(np.float32).tofile(arg)
        print(json.dumps({"wrote": arg}), flush=True)
    elif cmd == "quit":
        break
