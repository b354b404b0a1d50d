#!/usr/bin/python3
"""
@file Writes assets/sample-library/: a dozen real photos for demos, the e2e tests and manual checks.

Sources are Debian packages that ship freely licensed sample images (python3-skimage, opencv-doc).
Some photos are re-encoded as JPEG with a little EXIF added here (capture date, camera, one EXIF
orientation, one GPS position) so that the date sort, the timeline, the camera filter and EXIF
orientation can be seen working. The added EXIF is invented for testing and says so in LICENSES.md.

Every photo carries a capture date in its EXIF: without one Shoebox falls back to the file's time,
which a git checkout sets to the moment of the checkout, so the sample library's timeline would
change with every clone. Copied JPEGs get an EXIF segment inserted in front of the untouched image
data; PNGs an eXIf chunk (PNG compression is lossless, the pixels stay the same).

Run: /usr/bin/python3 scripts/make-sample-library.py  (deterministic: same bytes every run)
"""
import os
import shutil
import sys
from pathlib import Path

from PIL import Image

SKIMAGE = Path('/usr/lib/python3/dist-packages/skimage/data')
OPENCV = Path('/usr/share/doc/opencv-doc/examples/data')
OUT = Path(__file__).resolve().parent.parent / 'assets' / 'sample-library'

SKIMAGE_LICENCE = 'scikit-image sample data (Debian python3-skimage)'
OPENCV_LICENCE = 'OpenCV sample data (Debian opencv-doc), Apache-2.0 AND BSD-3-Clause per debian/copyright'

# (output name, source path, how, exif dict or None, licence note)
# exif keys: date 'YYYY:MM:DD HH:MM:SS', offset '+HH:MM', make, model, orientation, gps (lat, lon)
PHOTOS = [
    ('2019 trip/astronaut.jpg', SKIMAGE / 'astronaut.png', 'jpeg',
     dict(date='2019:07:20 20:17:40', offset='-04:00', make='Hasselblad', model='500 EL/M', gps=(28.5729, -80.6490)),
     'NASA Great Images database; public domain (no known copyright restrictions), per skimage.data.astronaut'),
    ('2019 trip/hubble deep field.jpg', SKIMAGE / 'hubble_deep_field.jpg', 'copy', dict(date='2019:07:22 22:05:00'),
     'NASA/ESA Hubble; public domain, per skimage.data.hubble_deep_field'),
    ('pets/chelsea.jpg', SKIMAGE / 'chelsea.png', 'jpeg-rot',
     dict(date='2021:03:14 09:26:53', make='Canon', model='Canon EOS 5D Mark II', orientation=6),
     'Stefan van der Walt; CC0, per skimage.data.chelsea. Stored rotated with EXIF Orientation 6'),
    ('coffee.png', SKIMAGE / 'coffee.png', 'png', dict(date='2023:02:11 08:30:00'),
     'Rachel Michetti; CC0, per skimage.data.coffee'),
    ('sport/messi5.jpg', OPENCV / 'messi5.jpg', 'jpeg',
     dict(date='2022:12:18 18:45:00', offset='-03:00', make='NIKON CORPORATION', model='NIKON D850'), OPENCV_LICENCE),
    ('food/fruits.jpg', OPENCV / 'fruits.jpg', 'jpeg',
     dict(date='2023:08:05 12:00:00', make='Apple', model='iPhone 13'), OPENCV_LICENCE),
    ('food/orange.jpg', OPENCV / 'orange.jpg', 'jpeg',
     dict(date='2023:08:05 12:03:10', make='Apple', model='iPhone 13'), OPENCV_LICENCE),
    ('animals/baboon.jpg', OPENCV / 'baboon.jpg', 'copy', dict(date='2020:05:30 11:12:45'), OPENCV_LICENCE),
    ('animals/butterfly.jpg', OPENCV / 'butterfly.jpg', 'jpeg',
     dict(date='2020:05:30 15:41:02', make='SONY', model='ILCE-7M3', gps=(48.8584, 2.2945)), OPENCV_LICENCE),
    ('animals/HappyFish.jpg', OPENCV / 'HappyFish.jpg', 'copy', dict(date='2017:06:24 16:20:00'), OPENCV_LICENCE),
    ('places/building.jpg', OPENCV / 'building.jpg', 'jpeg',
     dict(date='2018:10:02 08:15:33', make='FUJIFILM', model='X-T3'), OPENCV_LICENCE),
    ('places/home.jpg', OPENCV / 'home.jpg', 'copy', dict(date='2018:10:03 17:40:12'), OPENCV_LICENCE),
    ('art/starry night.png', OPENCV / 'starry_night.jpg', 'png', dict(date='2016:11:05 14:00:00'),
     OPENCV_LICENCE + '; the painting itself (Van Gogh, 1889) is public domain'),
]


def dms(value):
    """Decimal degrees → EXIF rational degrees, minutes, seconds."""
    v = abs(value)
    d = int(v)
    m = int((v - d) * 60)
    s = round(((v - d) * 60 - m) * 60, 2)
    return (float(d), float(m), s)


def make_exif(meta, exif=None):
    """EXIF with `meta` added (to a copy of the tags in `exif`, when given)."""
    exif = exif or Image.Exif()
    if 'make' in meta:
        exif[0x010F] = meta['make']
        exif[0x0110] = meta['model']
    if 'orientation' in meta:
        exif[0x0112] = meta['orientation']
    ifd = dict(exif.get_ifd(0x8769))
    ifd[0x9003] = meta['date']  # DateTimeOriginal
    ifd[0x9004] = meta['date']  # DateTimeDigitized
    if 'offset' in meta:
        ifd[0x9011] = meta['offset']  # OffsetTimeOriginal
    if 'gps' in meta:
        lat, lon = meta['gps']
        gps = {}
        gps[1] = 'N' if lat >= 0 else 'S'
        gps[2] = dms(lat)
        gps[3] = 'E' if lon >= 0 else 'W'
        gps[4] = dms(lon)
        exif[0x8825] = gps
    exif[0x8769] = ifd
    return exif


def insert_exif(jpeg, exif):
    """`jpeg` with an APP1 EXIF segment (`exif`: PIL's tobytes(), 'Exif\\0\\0' + TIFF) after SOI/APP0."""
    assert jpeg[:2] == b'\xff\xd8', 'not a JPEG'
    at = 2
    if jpeg[2:4] == b'\xff\xe0':  # keep JFIF's APP0 first, as the JFIF spec asks
        at = 4 + int.from_bytes(jpeg[4:6], 'big')
    end = at
    if jpeg[at:at + 2] == b'\xff\xe1' and jpeg[at + 4:at + 10] == b'Exif\0\0':
        end = at + 2 + int.from_bytes(jpeg[at + 2:at + 4], 'big')  # replace it: `exif` holds its tags too
    segment = b'\xff\xe1' + (len(exif) + 2).to_bytes(2, 'big') + exif
    return jpeg[:at] + segment + jpeg[end:]


def exif_first(png):
    """`png` with its eXIf chunk moved right after IHDR. exifr 7.1.3 misses an eXIf that follows an iCCP
    chunk (Pillow writes iCCP first); the PNG spec allows eXIf anywhere before IDAT."""
    chunks, i = [], 8
    while i < len(png):
        n = int.from_bytes(png[i:i + 4], 'big')
        chunks.append((png[i + 4:i + 8], png[i:i + 12 + n]))
        i += 12 + n
    exif = [c for t, c in chunks if t == b'eXIf']
    rest = [c for t, c in chunks if t != b'eXIf']
    return png[:8] + rest[0] + b''.join(exif) + b''.join(rest[1:])


def main():
    if not SKIMAGE.is_dir() or not OPENCV.is_dir():
        sys.exit('needs Debian packages python3-skimage and opencv-doc (apt-get install -y python3-skimage opencv-doc)')
    final = OUT
    out = OUT.with_name(OUT.name + '.tmp')
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    lines = ['# Sample library: sources and licences', '',
             'Written by `scripts/make-sample-library.py` from Debian packages. EXIF marked "added" was written',
             'by that script for testing (dates, cameras, GPS are invented, not the original shooting data).', '',
             '| file | source | licence / notes | EXIF |', '|---|---|---|---|']
    for name, src, how, meta, licence in PHOTOS:
        dst = out / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if how == 'copy' and meta:
            exif = make_exif(meta, Image.open(src).getexif())
            dst.write_bytes(insert_exif(src.read_bytes(), exif.tobytes()))
        elif how == 'copy':
            shutil.copyfile(src, dst)
        else:
            img = Image.open(src)
            img = img.convert('RGB')
            if how == 'jpeg-rot':
                # Pixels stored rotated 90° counter-clockwise; Orientation 6 tells viewers to turn them back.
                img = img.transpose(Image.Transpose.ROTATE_90)
            if how == 'png':
                img.save(dst, 'PNG', optimize=True, **({'exif': make_exif(meta).tobytes()} if meta else {}))
                dst.write_bytes(exif_first(dst.read_bytes()))
            else:
                kwargs = dict(quality=88)
                if meta:
                    kwargs['exif'] = make_exif(meta).tobytes()
                img.save(dst, 'JPEG', **kwargs)
        exif_note = 'added: ' + ', '.join(f'{k}={v}' for k, v in meta.items()) if meta else 'none added'
        src_pkg = 'python3-skimage' if str(src).startswith(str(SKIMAGE)) else 'opencv-doc'
        lines.append(f'| `{name}` | {src_pkg}: `{src.name}` | {licence} | {exif_note} |')
        os.utime(dst, (1_600_000_000, 1_600_000_000))  # a git checkout does not keep this; the EXIF date counts
    (out / 'LICENSES.md').write_text('\n'.join(lines) + '\n')
    # Written in full before the old library goes: a failure above leaves the old one in place.
    if final.exists():
        shutil.rmtree(final)
    out.rename(final)
    total = sum(p.stat().st_size for p in final.rglob('*') if p.is_file())
    print(f'wrote {len(PHOTOS)} photos to {final} ({total / 1e6:.2f} MB)')


if __name__ == '__main__':
    main()
