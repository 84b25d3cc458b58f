#!/usr/bin/env python3
"""Writes the NIfTI-1 fixtures for engine-core's reader tests with nibabel, an independent
implementation, and beside each file a JSON of what nibabel reads back from it: shape, voxel values
(x fastest, scaled as get_fdata() scales them) and the affine converted from RAS to LPS.

Run from this folder:  /usr/bin/python3 make_fixtures.py   (Debian package python3-nibabel)
The files are committed; rerun only to change them. nibabel's version is recorded in each JSON.
"""
import gzip
import json
import math

import nibabel as nib
import numpy as np

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


def rotation(axis, degrees):
    axis = np.asarray(axis, float)
    axis /= np.linalg.norm(axis)
    a = math.radians(degrees)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(a) * k + (1 - math.cos(a)) * k @ k


def affine(rot, spacing, origin):
    m = np.eye(4)
    m[:3, :3] = rot @ np.diag(spacing)
    m[:3, 3] = origin
    return m


def pattern(shape, dtype):
    nx, ny, nz = (tuple(shape) + (1,))[:3]
    x, y, z = np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij")
    v = (x + 10 * y + 100 * z).astype(np.float64)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None:
        v = np.mod(v, min(info.max, 1000)) + (info.min if info.min < 0 else 0) // 2
        v[0, 0, 0] = info.min
        v[-1, -1, -1] = info.max
    else:
        v = v * 0.25 - 7.5
        v[0, 0, 0] = -1e30 if dtype == np.float32 else -1e300
    return v.astype(dtype)


def save(name, img, units_mm=1.0, note="", scaling=None):
    if scaling is None:
        nib.save(img, name)
    else:
        # nibabel chooses its own scaling when it writes; set scl_slope/scl_inter in the bytes instead,
        # then let nibabel read the result back like any other file.
        raw = name.replace(".gz", "")
        nib.save(img, raw)
        with open(raw, "r+b") as f:
            order = "<" if img.header.endianness == "<" else ">"
            f.seek(112)
            f.write(np.array(scaling, dtype=order + "f4").tobytes())
        if name.endswith(".gz"):
            with open(raw, "rb") as src, gzip.open(name, "wb") as dst:
                dst.write(src.read())
            import os
            os.remove(raw)
    back = nib.load(name)
    data = back.get_fdata(dtype=np.float64)
    lps = RAS_TO_LPS @ back.affine
    lps[:3, :] *= units_mm
    expect = {
        "nibabel": nib.__version__,
        "note": note,
        "shape": [int(s) for s in back.shape],
        "datatype": int(back.header["datatype"]),
        "values": [float(v) for v in data.flatten(order="F")],
        "lps_affine": lps.tolist(),
    }
    with open(name.replace(".nii.gz", "").replace(".nii", "") + ".json", "w") as f:
        json.dump(expect, f, indent=1)


def image(data, aff, qcode=1, scode=1, qaff=None):
    # affine=None so that nibabel writes the header's qform/sform exactly as set here.
    hdr = nib.Nifti1Header()
    hdr.set_data_dtype(data.dtype)
    hdr.set_qform(aff if qaff is None else qaff, code=qcode)
    hdr.set_sform(aff, code=scode)
    hdr.set_xyzt_units("mm", "sec")
    return nib.Nifti1Image(data, None, header=hdr)


oblique = affine(rotation([1, 2, 3], 25), [0.8, 0.9, 2.5], [-101.5, 33.25, 12.0])
shape = (5, 4, 3)

# One file per supported datatype, oblique geometry in sform and qform.
for dt in ["uint8", "int8", "int16", "uint16", "int32", "float32", "float64"]:
    save(f"dtype_{dt}.nii", image(pattern(shape, np.dtype(dt)), oblique), note=f"{dt}, oblique sform = qform")

# Compressed, big-endian data.
save("int16_big_endian.nii.gz", image(pattern(shape, np.dtype(">i2")), oblique), note="big-endian int16, gzip")

# Scaling: a float slope, and CT's classic uint16 with intercept -1024.
save("scaled_float.nii.gz", image(pattern(shape, np.dtype("int16")), oblique), scaling=(0.5, -3.25),
     note="int16 with scl_slope 0.5, scl_inter -3.25")
save("scaled_ct.nii", image(pattern(shape, np.dtype("uint16")), oblique), scaling=(1.0, -1024.0),
     note="uint16 with scl_slope 1, scl_inter -1024")

# qform only, with a left-handed index frame (qfac = -1).
left = affine(rotation([0, 0, 1], 90) @ np.diag([1, 1, -1]), [1.5, 1.5, 3.0], [10, -20, 30])
save("qform_only_qfac.nii", image(pattern(shape, np.dtype("int16")), left, qcode=1, scode=0),
     note="sform_code 0, qform with qfac -1")

# sform and qform disagree: readers must prefer the sform (nibabel and ITK do).
other = affine(np.eye(3), [2.0, 2.0, 2.0], [0, 0, 0])
save("sform_preferred.nii", image(pattern(shape, np.dtype("int16")), oblique, qaff=other),
     note="sform (oblique) differs from qform (identity, 2 mm); sform wins")

# Spatial units in metres (nibabel does not rescale; the JSON's LPS affine is in mm).
metres = affine(np.eye(3), [0.001, 0.001, 0.002], [0.01, 0.02, -0.03])
img = image(pattern(shape, np.dtype("int16")), metres)
img.header.set_xyzt_units("meter", "sec")
save("units_metres.nii", img, units_mm=1000.0, note="xyzt_units metre; expected affine converted to mm")

# A 2-D image is a volume one slice thick.
save("two_d.nii", image(pattern((5, 4, 1), np.dtype("int16")).reshape(5, 4), affine(np.eye(3), [0.5, 0.5, 1], [0, 0, 0])),
     note="2-D image, read as nz = 1")

# A 4-D series: not supported yet; no JSON needed beyond the shape.
nib.save(nib.Nifti1Image(np.zeros((3, 3, 3, 2), np.int16), np.eye(4)), "four_d.nii.gz")

# The IBSI phantom's mask is int16; a float mask file shows the same labels.
print("fixtures written with nibabel", nib.__version__)
