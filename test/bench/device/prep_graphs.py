import onnx, json, os, sys
# The repository root is three folders up (test/bench/device/); paths follow it wherever it is checked out.
root=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
src=os.path.join(root,'models','internvl3-1b-random','onnx')
dst=os.path.join(root,'.gpu','graphs')
layout={}
for name in ['vision_encoder','decoder_model_merged','vision_encoder_fp16','decoder_model_merged_fp16']:
    m=onnx.load(f'{src}/{name}.onnx', load_external_data=False)
    data=f'{name}.onnx_data'
    entries=[]
    off=0
    for t in m.graph.initializer:
        if t.data_location==onnx.TensorProto.EXTERNAL:
            d={e.key:e.value for e in t.external_data}
            entries.append([int(d.get('offset',0)), int(d['length']), t.data_type])
            # keep pointing at our file name
            for e in t.external_data:
                if e.key=='location': e.value=data
            continue
        raw=t.raw_data
        if len(raw)>1024:
            n=len(raw)
            t.ClearField('raw_data')
            t.data_location=onnx.TensorProto.EXTERNAL
            del t.external_data[:]
            for k,v in (('location',data),('offset',str(off)),('length',str(n))):
                e=t.external_data.add(); e.key=k; e.value=v
            entries.append([off,n,t.data_type])
            off+=n
            off=(off+4095)//4096*4096
    total=max(o+l for o,l,_ in entries)
    layout[name]={'data':data,'bytes':total,'tensors':entries}
    onnx.save(m, f'{dst}/{name}.onnx')
    print(name, os.path.getsize(f'{dst}/{name}.onnx'), total, len(entries), set(x[2] for x in entries), flush=True)
json.dump(layout, open(f'{dst}/layout.json','w'))
