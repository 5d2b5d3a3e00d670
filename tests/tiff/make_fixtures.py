"""Write the small TIFF/PNG fixtures of tests/tiff with tifffile and PIL (an independent writer).

Run with Debian's python3 (python3-tifffile, python3-pil): /usr/bin/python3 tests/tiff/make_fixtures.py
Writes tests/tiff/fixtures/*.tif, fixtures/slices/*.png and fixtures/expected.json.
"""
import json
import os

import numpy as np
import tifffile
from PIL import Image

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
os.makedirs(os.path.join(here, "slices"), exist_ok=True)
rng = np.random.default_rng(7)
expected = {}

# ImageJ hyperstack: 3 z × 2 channels, 16-bit, calibrated 0.2 µm z spacing, 0.05 µm pixels.
hyper = rng.integers(0, 60000, size=(3, 2, 16, 20), dtype=np.uint16)  # ImageJ order z, c, y, x
tifffile.imwrite(
    os.path.join(here, "hyperstack_zcyx_u16.tif"), hyper, imagej=True,
    resolution=(1 / 0.05, 1 / 0.05), metadata={"spacing": 0.2, "unit": "micron", "axes": "ZCYX"},
)
czyx = hyper.transpose(1, 0, 2, 3)
expected["hyperstack_zcyx_u16.tif"] = {
    "shape": list(czyx.shape), "dtype": "uint16", "voxelSize": [0.2, 0.05, 0.05], "unit": "micrometer",
    "sum": int(czyx.astype(np.int64).sum()), "probes": [[list(map(int, i)), int(czyx[tuple(i)])]
                                                          for i in [(0, 0, 0, 0), (1, 2, 15, 19), (1, 0, 7, 3), (0, 1, 9, 11)]],
}

# Plain multi-page deflate, 8-bit, no calibration.
pages = rng.integers(0, 255, size=(4, 10, 12), dtype=np.uint8)
tifffile.imwrite(os.path.join(here, "multipage_deflate_u8.tif"), pages, compression="zlib", photometric="minisblack")
expected["multipage_deflate_u8.tif"] = {
    "shape": list(pages.shape), "dtype": "uint8", "voxelSize": None, "unit": None,
    "sum": int(pages.astype(np.int64).sum()), "probes": [[[3, 9, 11], int(pages[3, 9, 11])], [[2, 4, 5], int(pages[2, 4, 5])]],
}

# 32-bit float pages, uncompressed.
floats = rng.normal(size=(3, 5, 7)).astype(np.float32)
tifffile.imwrite(os.path.join(here, "multipage_f32.tif"), floats, photometric="minisblack")
expected["multipage_f32.tif"] = {
    "shape": list(floats.shape), "dtype": "float32", "voxelSize": None, "unit": None,
    "sum": float(floats.astype(np.float64).sum()), "probes": [[[2, 4, 6], float(floats[2, 4, 6])]],
}

# Slice folder: PNGs named so that natural order differs from plain string order (2 < 10);
# slice 2 is a 1-bit PNG (read as 0/255), the others 8-bit greyscale.
names = ["s1.png", "s2.png", "s10.png"]
stack = rng.integers(0, 255, size=(3, 9, 11), dtype=np.uint8)
stack[1] = np.where(stack[1] > 127, 255, 0)
for name, plane in zip(names, stack):
    image = Image.fromarray(plane)
    if name == "s2.png":
        image = image.convert("1")
    image.save(os.path.join(here, "slices", name))
expected["slices"] = {
    "shape": list(stack.shape), "dtype": "uint8", "voxelSize": None, "unit": None,
    "sum": int(stack.astype(np.int64).sum()), "probes": [[[1, 3, 4], int(stack[1, 3, 4])], [[2, 8, 10], int(stack[2, 8, 10])]],
}

with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
