"""@file Prepares a bundle for the device understanding check (understand.sh): the three graphs of one
variant with every initializer over 1 KiB moved to external data that the device fills from a seed
(layout.json: offset, length, dtype of each tensor), plus a manifest whose file sizes are those the
device will write. Runs: /usr/bin/python3 with Debian's onnx, on the development machine.

Usage: prep_understand.py SRC_BUNDLE VARIANT OUT_DIR TOKENIZER_JSON
An `fp16` variant missing from SRC_BUNDLE is made from its fp32 graphs (native/export/quantize.py).
"""
import json
import os
import shutil
import sys

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, 'native', 'export'))
ROLES = ['vision_encoder', 'embed_tokens', 'decoder_model_merged']
FLOAT_TYPES = (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16)
SUFFIX = {'fp32': '', 'fp16': '_fp16', 'int8': '_int8', 'q4': '_q4'}


def externalize(src, dst_dir, name):
    """Writes NAME.onnx without weights to dst_dir; returns its layout entry."""
    m = onnx.load(src, load_external_data=False)
    data = f'{name}.onnx_data'
    entries, off = [], 0
    for t in m.graph.initializer:
        # Only float weights get seeded values on the device; integer tables (shapes, indices) stay inline.
        if t.data_type not in FLOAT_TYPES:
            if t.data_location == onnx.TensorProto.EXTERNAL:
                sys.exit(f'{name}: external {t.name} of type {t.data_type} cannot be seeded')
            continue
        if t.data_location == onnx.TensorProto.EXTERNAL:
            d = {e.key: e.value for e in t.external_data}
            n = int(d['length'])
        elif len(t.raw_data) > 1024:
            n = len(t.raw_data)
            t.ClearField('raw_data')
        else:
            continue
        t.data_location = onnx.TensorProto.EXTERNAL
        del t.external_data[:]
        for k, v in (('location', data), ('offset', str(off)), ('length', str(n))):
            e = t.external_data.add()
            e.key, e.value = k, v
        entries.append([off, n, t.data_type])
        off = (off + n + 4095) // 4096 * 4096
    onnx.save(m, os.path.join(dst_dir, f'{name}.onnx'))
    total = max((o + l for o, l, _ in entries), default=0)
    return {'data': data, 'bytes': total, 'tensors': entries}


def main():
    src, variant, out, tokenizer = sys.argv[1:5]
    manifest = json.load(open(os.path.join(src, 'manifest.json')))
    suffix = SUFFIX[variant]
    if variant not in manifest['variants']:
        if variant != 'fp16':
            sys.exit(f'{src} has no {variant} variant')
        from quantize import make_variant
        for role in ROLES:
            dst = os.path.join(src, 'onnx', f'{role}_fp16.onnx')
            if not os.path.exists(dst):
                print(f'making {dst} …', flush=True)
                make_variant(os.path.join(src, 'onnx', f'{role}.onnx'), dst, 'fp16')
    os.makedirs(os.path.join(out, 'onnx'), exist_ok=True)
    layout, files, variant_files = {}, [], {}
    for role in ROLES:
        name = f'{role}{suffix}'
        L = externalize(os.path.join(src, 'onnx', f'{name}.onnx'), os.path.join(out, 'onnx'), name)
        layout[name] = L
        variant_files[role] = f'onnx/{name}.onnx'
        files.append({'path': f'onnx/{name}.onnx', 'bytes': os.path.getsize(os.path.join(out, 'onnx', f'{name}.onnx'))})
        if L['tensors']:
            files.append({'path': f'onnx/{L["data"]}', 'bytes': L['bytes']})
        print(name, files[-1], len(L['tensors']), flush=True)
    shutil.copyfile(tokenizer, os.path.join(out, 'tokenizer.json'))
    files.append({'path': 'tokenizer.json', 'bytes': os.path.getsize(tokenizer)})
    manifest['variants'] = {variant: variant_files}
    manifest['files'] = files
    json.dump(manifest, open(os.path.join(out, 'manifest.json'), 'w'), indent=2)
    json.dump(layout, open(os.path.join(out, 'layout.json'), 'w'))


main()
