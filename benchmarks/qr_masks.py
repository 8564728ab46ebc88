#!/usr/bin/env python3
"""Which QR mask to fix for the verification links (not a test).

The QR standard picks, per symbol, the mask of 8 with the lowest penalty score (long runs, 2x2 blocks,
finder-like patterns, dark/light balance); segno spends most of a code's time trying all 8. Any mask
gives a valid symbol that every reader decodes, so a fixed mask costs only a higher penalty on some
symbols. This script measures, over N verification links shaped as the issuer makes them
(https://<host>/verifikasi/<document id>.<Ed25519 signature, base64url>), each mask's penalty next to
the best one, and the time of a code with the search and with a fixed mask, and prints the table that
docs/PERFORMANCE.md quotes.

    python benchmarks/qr_masks.py [--n 300]
"""
import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path

import segno
from segno import encoder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formserver.issue.qr import MASK  # noqa: E402


def links(n: int) -> list[str]:
    out = []
    for i in range(n):
        signature = base64.urlsafe_b64encode(os.urandom(64)).rstrip(b"=").decode()
        out.append(f"https://dpmptsp.kamparkab.go.id/verifikasi/{os.urandom(8).hex()}{i}.{signature}")
    return out


def penalty(code) -> int:
    matrix = [bytearray(row) for row in code.matrix]
    return encoder.evaluate_mask(matrix, len(matrix), len(matrix))


def timed(texts: list[str], mask) -> float:
    start = time.perf_counter()
    for text in texts:
        segno.make_qr(text, error="m", boost_error=False, mask=mask)
    return (time.perf_counter() - start) / len(texts) * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args(argv)
    texts = links(args.n)
    best_counts, excess = [0] * 8, [[] for _ in range(8)]
    for text in texts:
        scores = [penalty(segno.make_qr(text, error="m", boost_error=False, mask=m)) for m in range(8)]
        low = min(scores)
        best_counts[scores.index(low)] += 1
        for m in range(8):
            excess[m].append(scores[m] / low - 1)
    print(f"{args.n} verification links, QR version {segno.make_qr(texts[0], error='m', boost_error=False).version}, error M")
    print("| mask | best for | penalty over the best: median | p95 | max |")
    print("|---:|---:|---:|---:|---:|")
    for m in range(8):
        e = sorted(excess[m])
        print(f"| {m}{' (used)' if m == MASK else ''} | {best_counts[m]} | {statistics.median(e):.1%} | "
              f"{e[int(0.95 * (len(e) - 1))]:.1%} | {e[-1]:.1%} |")
    sample = texts[:60]
    timed(sample, MASK)  # warm-up
    print(f"\nmake_qr with the mask search: {timed(sample, None):.2f} ms; with mask {MASK}: {timed(sample, MASK):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
