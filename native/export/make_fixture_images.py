"""@file Make the ML fixture images (test/fixtures/images/ml/*.png) deterministically.

Owns: the seven lossless PNGs the goldens are computed on (square, 4:3, 3:2, 16:9, tall, tiny, huge)
and their LICENCES.md. Sources are scikit-image's public-domain / CC0 sample photos shipped by Debian's
python3-skimage, plus one synthetic 4032x3024 scene that compresses small.
Runs: /usr/bin/python3 native/export/make_fixture_images.py [--out DIR]
"""
from __future__ import annotations

import argparse
import os

import numpy as np
from PIL import Image

SK = "/usr/lib/python3/dist-packages/skimage/data"
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "images", "ml")


def _open(name: str) -> Image.Image:
    path = os.path.join(SK, name)
    if not os.path.isfile(path):
        raise SystemExit(f"missing {path}: apt-get install python3-skimage")
    return Image.open(path).convert("RGB")


def _center_crop(img: Image.Image, w: int, h: int) -> Image.Image:
    x0, y0 = (img.width - w) // 2, (img.height - h) // 2
    return img.crop((x0, y0, x0 + w, y0 + h))


def synthetic_scene(w: int = 4032, h: int = 3024) -> Image.Image:
    """A smooth landscape (sky gradient, sun, two hill lines, a lake) drawn with float maths only."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    u, v = x / w, y / h
    sky = np.stack([70 + 120 * v, 120 + 90 * v, 230 - 40 * v], -1)
    img = sky
    sun_d = np.hypot(u - 0.72, (v - 0.22) * h / w)
    sun = np.clip((0.08 - sun_d) / 0.004, 0, 1)[..., None]
    img = img * (1 - sun) + np.array([255, 236, 160]) * sun
    for base, amp, freq, col in ((0.55, 0.06, 3.0, (90, 130, 80)), (0.68, 0.04, 5.0, (50, 95, 55))):
        line = base + amp * np.sin(2 * np.pi * freq * u + base * 10)
        a = np.clip((v - line) / 0.002, 0, 1)[..., None]
        shade = (1 - 0.35 * (v - base))[..., None]
        img = img * (1 - a) + np.array(col) * shade * a
    lake = np.clip((v - 0.82) / 0.003, 0, 1)[..., None] * np.clip((0.3 - abs(u - 0.4)) / 0.003, 0, 1)[..., None]
    img = img * (1 - lake) + np.array([60, 110, 170]) * (1 + 0.2 * (v - 0.82))[..., None] * lake
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def make_all(out: str) -> None:
    os.makedirs(out, exist_ok=True)
    astronaut, chelsea, coffee, rocket = (_open(n) for n in ("astronaut.png", "chelsea.png", "coffee.png",
                                                              "rocket.jpg"))
    cat43 = _center_crop(chelsea, 400, 300)
    images = {
        "square.png": astronaut,                                                     # 512x512
        "ratio-4x3.png": cat43.resize((640, 480), Image.LANCZOS),                    # 640x480
        "ratio-3x2.png": coffee,                                                     # 600x400
        "ratio-16x9.png": _center_crop(rocket, 640, 360),                            # 640x360
        "tall.png": _center_crop(astronaut, 192, 512).resize((300, 800), Image.LANCZOS),  # 300x800
        "tiny.png": cat43.resize((40, 30), Image.LANCZOS),                           # 40x30
        "huge.png": synthetic_scene(),                                               # 4032x3024
    }
    for name, img in images.items():
        img.save(os.path.join(out, name), optimize=True)
    with open(os.path.join(out, "LICENCES.md"), "w", encoding="utf-8") as f:
        f.write(LICENCES)


LICENCES = """# Licences of the ML fixture images

Made by `native/export/make_fixture_images.py` (deterministic; rerun it to regenerate) from the sample
photos that scikit-image ships (Debian `python3-skimage`, `skimage/data/`). Licence statements are the
ones in scikit-image's `skimage/data/_fetchers.py` docstrings.

| file | size | made from | licence |
|---|---|---|---|
| square.png | 512x512 | `astronaut.png` (Eileen Collins, NASA Great Images) unchanged | public domain (NASA; "no known copyright restrictions") |
| ratio-4x3.png | 640x480 | `chelsea.png` (Chelsea the cat, Stefan van der Walt), centre crop 400x300, Lanczos resize | CC0 |
| ratio-3x2.png | 600x400 | `coffee.png` (Rachel Michetti, courtesy Pikolo Espresso Bar) unchanged | CC0 |
| ratio-16x9.png | 640x360 | `rocket.jpg` (DSCOVR launch, SpaceX), centre crop | public domain (released by SpaceX) |
| tall.png | 300x800 | `astronaut.png`, centre crop 192x512, Lanczos resize | public domain (NASA) |
| tiny.png | 40x30 | `chelsea.png`, centre crop 400x300, Lanczos resize | CC0 |
| huge.png | 4032x3024 | synthetic landscape drawn by the script (no source photo) | CC0 (this project) |
"""


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    make_all(ap.parse_args().out)
