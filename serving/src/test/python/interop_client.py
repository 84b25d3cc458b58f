#!/usr/bin/env python3
"""A gRPC client Hounsfield did not write: Python, Debian's grpcio and grpc-tools, stubs generated from
the .proto files at run time. It calls hounsfield.v1 Analyze (segment then features, a NIfTI file sent in
chunks) and the KServe v2 ModelInfer (the segmentation model, then the radiomics model on the image and the
label map it got back), and writes what it received as JSON for the Java test to compare with the CLI.

usage: interop_client.py --server HOST:PORT --proto DIR --nifti FILE --out FILE.json
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

import nibabel
import numpy


def generate(proto_dir, into):
    """Stubs for hounsfield.v1 and the KServe v2 protocol, made by grpc_tools' protoc."""
    cmd = [sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out=" + into, "--grpc_python_out=" + into,
           "hounsfield/v1/hounsfield.proto", "inference/grpc_predict_v2.proto", "inference/model_config.proto"]
    subprocess.run(cmd, check=True)
    sys.path.insert(0, into)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--proto", required=True)
    ap.add_argument("--nifti", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chunk", type=int, default=1 << 20)
    a = ap.parse_args()

    gen = tempfile.mkdtemp(prefix="hounsfield-pystubs")
    generate(a.proto, gen)
    import grpc
    from hounsfield.v1 import hounsfield_pb2 as hf
    from hounsfield.v1 import hounsfield_pb2_grpc as hf_grpc
    from inference import grpc_predict_v2_pb2 as kserve
    from inference import grpc_predict_v2_pb2_grpc as kserve_grpc

    channel = grpc.insecure_channel(a.server, options=[("grpc.max_receive_message_length", 64 << 20),
                                                       ("grpc.max_send_message_length", 64 << 20)])
    grpc.channel_ready_future(channel).result(timeout=60)
    out = {"grpcio": grpc.__version__}

    # hounsfield.v1 Analyze: the header, then the file in chunks; events stream back.
    def requests():
        yield hf.AnalyzeRequest(header=hf.AnalyzeHeader(task=hf.AnalyzeHeader.SEGMENT_AND_FEATURES,
                                                        input=hf.AnalyzeHeader.NIFTI, return_mask=True))
        with open(a.nifti, "rb") as f:
            while True:
                data = f.read(a.chunk)
                if not data:
                    break
                yield hf.AnalyzeRequest(chunk=hf.InputChunk(input=0, file=os.path.basename(a.nifti), data=data))

    events = list(hf_grpc.HounsfieldStub(channel).Analyze(requests(), timeout=600))
    kinds = [e.WhichOneof("event") for e in events]
    if kinds[0] != "accepted" or kinds[-1] != "result":
        raise SystemExit("unexpected event order: %s" % kinds)
    result = events[-1].result
    out["analyze"] = {
        "bytes_received": events[0].accepted.bytes_received,
        "stages": [e.progress.stage for e in events if e.WhichOneof("event") == "progress"],
        "labels": {lf.name: {"label": lf.label, "voxels": lf.voxels,
                             "features": {"|".join((f.ibsi_code, f.family, f.name, f.aggregation)): f.value for f in lf.features.features}}
                   for lf in result.labels},
    }
    extent = list(result.mask_geometry.extent)
    mask = numpy.frombuffer(gzip.decompress(result.mask_gzip), dtype=numpy.uint8).reshape(extent[2], extent[1], extent[0])

    # KServe v2: the server's metadata, the segmentation model, then radiomics on the image and that mask.
    kstub = kserve_grpc.GRPCInferenceServiceStub(channel)
    if not kstub.ServerLive(kserve.ServerLiveRequest()).live or not kstub.ServerReady(kserve.ServerReadyRequest()).ready:
        raise SystemExit("server not live and ready")
    out["server_metadata"] = {"name": kstub.ServerMetadata(kserve.ServerMetadataRequest()).name}
    # Triton's extension, as Triton's tools ask for it before they load a model.
    config = kstub.ModelConfig(kserve.ModelConfigRequest(name="radiomics")).config
    out["triton_model_config"] = {"max_batch_size": config.max_batch_size,
                                  "inputs": [[i.name, i.data_type, list(i.dims), i.optional] for i in config.input]}
    img = nibabel.load(a.nifti)
    voxels = numpy.asarray(img.dataobj)  # x, y, z (NIfTI order)
    if voxels.dtype != numpy.int16:
        raise SystemExit("expected an int16 image, got %s" % voxels.dtype)
    zyx = numpy.ascontiguousarray(voxels.transpose(2, 1, 0)).astype("<i2")
    # The grid in LPS (DICOM's frame, Hounsfield's): NIfTI's affine is RAS, so flip the first two rows.
    lps = numpy.diag([-1.0, -1.0, 1.0]) @ img.affine[:3, :]
    spacing = [float(numpy.linalg.norm(lps[:3, j])) for j in range(3)]
    direction = [float(lps[r, c] / spacing[c]) for r in range(3) for c in range(3)]
    origin = [float(v) for v in lps[:3, 3]]
    geometry_inputs = [kserve.ModelInferRequest.InferInputTensor(name="spacing", datatype="FP64", shape=[3]),
                       kserve.ModelInferRequest.InferInputTensor(name="origin", datatype="FP64", shape=[3]),
                       kserve.ModelInferRequest.InferInputTensor(name="direction", datatype="FP64", shape=[9])]
    geometry_raw = [struct.pack("<3d", *spacing), struct.pack("<3d", *origin), struct.pack("<9d", *direction)]
    shape = list(zyx.shape)

    seg_model = [m for m in kstub.ModelMetadata(kserve.ModelMetadataRequest(name="demo-ct")).outputs]
    seg = kstub.ModelInfer(kserve.ModelInferRequest(
        model_name="demo-ct",
        inputs=[kserve.ModelInferRequest.InferInputTensor(name="image", datatype="INT16", shape=shape)] + geometry_inputs,
        raw_input_contents=[zyx.tobytes()] + geometry_raw), timeout=600)
    seg_mask = numpy.frombuffer(seg.raw_output_contents[0], dtype=numpy.uint8).reshape(shape)
    out["kserve_segmentation"] = {"outputs": [o.name for o in seg_model], "equals_analyze_mask": bool(numpy.array_equal(seg_mask, mask)),
                                  "voxels": {str(l): int((seg_mask == l).sum()) for l in range(1, int(seg_mask.max()) + 1)}}

    rad = kstub.ModelInfer(kserve.ModelInferRequest(
        model_name="radiomics",
        parameters={"label": kserve.InferParameter(int64_param=1)},
        inputs=[kserve.ModelInferRequest.InferInputTensor(name="image", datatype="INT16", shape=shape),
                kserve.ModelInferRequest.InferInputTensor(name="mask", datatype="UINT8", shape=shape)] + geometry_inputs,
        raw_input_contents=[zyx.tobytes(), numpy.ascontiguousarray(mask).tobytes()] + geometry_raw), timeout=600)
    names_at = [i for i, o in enumerate(rad.outputs) if o.name == "names"][0]
    values_at = [i for i, o in enumerate(rad.outputs) if o.name == "values"][0]
    values = numpy.frombuffer(rad.raw_output_contents[values_at], dtype="<f8")
    raw_names = rad.raw_output_contents[names_at]
    names, at = [], 0
    while at < len(raw_names):  # BYTES tensors: each element a 4-byte little-endian length, then the bytes
        (n,) = struct.unpack_from("<I", raw_names, at)
        names.append(raw_names[at + 4:at + 4 + n].decode("utf-8"))
        at += 4 + n
    out["kserve_radiomics"] = {"label": 1, "features": dict(zip(names, [float(v) for v in values]))}

    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
