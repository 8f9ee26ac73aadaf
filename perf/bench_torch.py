#!/usr/bin/python3
"""The shapes of `unroll bench` in PyTorch (CPU, 2 threads), for the ratio.

forward: one recurrent layer over the batch, no grad.
train:   forward and backward with the loss = sum of the last step's output
         (no optimizer step), as unroll bench does.
Prints one JSON object a line, in unroll bench --json's form. Needs Debian's
python3-torch:  /usr/bin/python3 perf/bench_torch.py
"""
import json
import statistics
import time

import torch

torch.set_num_threads(2)
# subnormals flushed, as unroll does (design.md: many Intel cores are
# several times slower on them otherwise)
torch.set_flush_denormal(True)
SHAPES = [("forward", 1, 40, 32, 64), ("train", 32, 100, 32, 64), ("train", 64, 200, 128, 256)]
CELLS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simplernn": torch.nn.RNN}


def run(cell, pas, B, T, E, H):
    layer = CELLS[cell](E, H, batch_first=True)
    x = torch.rand(B, T, E) * 2 - 1
    reps = 7 if B * T * H * H > 50_000_000 else 51
    times = []
    for r in range(reps + 2):
        t0 = time.perf_counter()
        if pas == "forward":
            with torch.no_grad():
                layer(x)
        else:
            layer.zero_grad()
            out, _ = layer(x)
            out[:, -1, :].sum().backward()
        if r >= 2:
            times.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(times)


for cell in CELLS:
    for pas, B, T, E, H in SHAPES:
        us = run(cell, pas, B, T, E, H)
        print(json.dumps({"cell": cell, "pass": pas, "batch": B, "T": T, "input": E, "units": H,
                          "median_us": round(us, 1), "threads": torch.get_num_threads(),
                          "engine": "pytorch " + torch.__version__}), flush=True)
