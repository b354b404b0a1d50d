"""@file InternVL image preprocessing with Pillow, exactly as the original `load_image` / `dynamic_preprocess`.

Owns: tile-grid choice (find_closest_aspect_ratio with the tie rule), Pillow BICUBIC resizes, row-major
crops, thumbnail last, ImageNet normalisation. Runs: /usr/bin/python3 (export, goldens, bench).
The TypeScript engine (native/preprocess) ports this file; the goldens pin both to the same numbers.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def target_ratios(min_num: int, max_num: int) -> List[Tuple[int, int]]:
    """All (cols, rows) with min_num <= cols*rows <= max_num, stable-sorted by tile count.

    The original builds a Python set and sorts by i*j; within one tile count the set's order varies, but
    only exact ties reach the tie rule and those have distinct counts (see test_export.py), so any order
    sorted by count gives the same answer. We enumerate width-major like the HF port."""
    if min_num < 1 or max_num < min_num:
        raise ValueError(f"invalid tile range {min_num}..{max_num}")
    ratios = {(i, j) for n in range(min_num, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
              if min_num <= i * j <= max_num}
    return sorted(sorted(ratios), key=lambda r: r[0] * r[1])


def find_closest_aspect_ratio(aspect_ratio: float, ratios: Sequence[Tuple[int, int]], width: int, height: int,
                              image_size: int) -> Tuple[int, int]:
    """Closest (cols, rows); on an exact tie prefer the later (more tiles) while area > half its canvas."""
    best_diff = float("inf")
    best = (1, 1)
    area = width * height
    for ratio in ratios:
        diff = abs(aspect_ratio - ratio[0] / ratio[1])
        if diff < best_diff:
            best_diff = diff
            best = ratio
        elif diff == best_diff:
            if area > 0.5 * image_size * image_size * ratio[0] * ratio[1]:
                best = ratio
    return best


def tile_grid(width: int, height: int, max_num: int, min_num: int = 1, image_size: int = 448) -> Tuple[int, int]:
    """(cols, rows) the original chooses for an image of width x height."""
    if width <= 0 or height <= 0:
        raise ValueError(f"invalid image size {width}x{height}")
    return find_closest_aspect_ratio(width / height, target_ratios(min_num, max_num), width, height, image_size)


def dynamic_preprocess(image: Image.Image, max_num: int, min_num: int = 1, image_size: int = 448,
                       use_thumbnail: bool = True) -> Tuple[List[Image.Image], Tuple[int, int]]:
    """Tiles (row-major crops of the resized canvas, then the thumbnail when more than one) and the grid."""
    w, h = image.size
    cols, rows = tile_grid(w, h, max_num, min_num, image_size)
    resized = image.resize((image_size * cols, image_size * rows))      # Pillow default: BICUBIC for RGB
    tiles = []
    for i in range(cols * rows):
        c, r = i % cols, i // cols
        tiles.append(resized.crop((c * image_size, r * image_size, (c + 1) * image_size, (r + 1) * image_size)))
    if use_thumbnail and len(tiles) != 1:
        tiles.append(image.resize((image_size, image_size)))
    return tiles, (cols, rows)


def load_rgb(path: str) -> Image.Image:
    """Open an image as RGB like the reference (no EXIF orientation fix; alpha is dropped)."""
    try:
        img = Image.open(path)
        img.load()
    except (OSError, ValueError) as e:
        raise ValueError(f"cannot read image {path}: {e}") from e
    return img.convert("RGB")


def tiles_to_uint8(tiles: Sequence[Image.Image]) -> np.ndarray:
    """[T, H, W, 3] uint8 exactly as Pillow made the tiles."""
    return np.stack([np.asarray(t.convert("RGB"), dtype=np.uint8) for t in tiles])


def normalize(tiles_u8: np.ndarray) -> torch.Tensor:
    """[T,H,W,3] uint8 -> [T,3,H,W] float32 via ToTensor (v/255) then Normalize((x-mean)/std)."""
    x = torch.from_numpy(tiles_u8).permute(0, 3, 1, 2).to(torch.float32).div(255)
    mean = torch.tensor(IMAGENET_MEAN, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=torch.float32).view(1, 3, 1, 1)
    return (x - mean) / std


def load_image(path: str, max_num: int = 12, image_size: int = 448):
    """(pixel_values [T,3,448,448] float32, tiles uint8 [T,448,448,3], (cols, rows))."""
    tiles, grid = dynamic_preprocess(load_rgb(path), max_num=max_num, image_size=image_size)
    u8 = tiles_to_uint8(tiles)
    return normalize(u8), u8, grid
