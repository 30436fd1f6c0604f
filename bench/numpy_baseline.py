"""numpy/OpenBLAS side of bench/projection.ts: loads the same W (float32, row-major)
and h the bench wrote, then answers commands on stdin with JSON lines:
  mv N   -> N timings (ms) of z = W @ h
  sum N  -> N timings (ms) of W.sum() (one full read of W)
  z PATH -> writes z = W @ h (float32) to PATH
"""
import json
import sys
import time

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
