"""Writes data/digits.csv from scikit-learn's copy of the UCI handwritten digits.

The notebooks (10-training-on-digits, 11-calibration-and-temperature) read a plain file
committed with the course, so they run offline and need no Python. This script is only
for regenerating that file. It is deterministic: the rows keep scikit-learn's order and
every pixel is a whole number 0-16, so running it again rewrites the same bytes.

usage, from the repository root (the course's CI does not run it):
    python3 -m venv .venv && PIP_RETRIES=0 .venv/bin/pip install scikit-learn
    .venv/bin/python data/write_digits.py

See data/digits.md for the source, the licence and the citation.
"""
import collections
import pathlib

import sklearn
from sklearn.datasets import load_digits

OUT = pathlib.Path(__file__).resolve().parent / "digits.csv"


def main() -> None:
    digits = load_digits()  # ships inside scikit-learn: no download
    pixels, labels = digits.data, digits.target
    assert pixels.shape == (1797, 64), pixels.shape
    assert ((pixels >= 0) & (pixels <= 16) & (pixels == pixels.round())).all(), "pixels must be whole numbers 0-16"
    counts = collections.Counter(int(y) for y in labels)
    assert sorted(counts) == list(range(10)), counts

    header = [f"pixel_{row}_{col}" for row in range(8) for col in range(8)] + ["digit"]
    lines = [",".join(header)]
    for image, label in zip(pixels, labels):
        lines.append(",".join(str(int(v)) for v in image) + f",{int(label)}")
    OUT.write_text("\n".join(lines) + "\n", encoding="ascii")
    print(f"wrote {OUT} ({len(lines) - 1} images, scikit-learn {sklearn.__version__}); per digit: "
          + ", ".join(f"{d}: {counts[d]}" for d in range(10)))


if __name__ == "__main__":
    main()
