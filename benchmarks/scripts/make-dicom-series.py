#!/usr/bin/env python3
"""Writes the DICOM series the DICOM read benchmark decodes: a CT-like body (air, fat, soft tissue, a
lesion; HU with Gaussian noise, seed 1) as 64 axial slices of 512×512 int16 (BitsStored 12, intercept
-1024), with pydicom, then transcoded by dcmtk to JPEG Lossless SV1 (dcmcjpeg) and RLE (dcmcrle).

  /usr/bin/python3 benchmarks/scripts/make-dicom-series.py [OUT]    (default benchmarks/data/dicom)
Needs Debian's python3-pydicom, python3-numpy and dcmtk.
"""
import os
import subprocess
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "dicom")
N, NZ, PS, STEP = 512, 64, 0.7, 2.0

rng = np.random.RandomState(1)
y, x = np.mgrid[0:N, 0:N]
cx = (x - N / 2) * PS
cy = (y - N / 2) * PS
series = generate_uid(entropy_srcs=["bench-series"])
os.makedirs(os.path.join(OUT, "native"), exist_ok=True)
for k in range(NZ):
    hu = np.full((N, N), -1000.0)
    hu[(cx / 160) ** 2 + (cy / 110) ** 2 <= 1] = -100
    hu[(cx / 150) ** 2 + (cy / 100) ** 2 <= 1] = 40
    hu[((cx + 60) ** 2 + cy ** 2 + ((k - NZ / 2) * STEP) ** 2) <= 15 ** 2] = 120
    hu += rng.normal(0, 10, hu.shape)
    raw = np.clip(np.round(hu + 1024), 0, 4095).astype("<i2")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["bench", str(k)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.SeriesInstanceUID, ds.InstanceNumber = "CT", series, k + 1
    ds.ImagePositionPatient = [-N / 2 * PS, -N / 2 * PS, k * STEP]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [PS, PS]
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.Rows, ds.Columns = 1, "MONOCHROME2", N, N
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.PixelData = raw.tobytes()
    ds.save_as(os.path.join(OUT, "native", f"{k:04d}.dcm"), write_like_original=False)

for name, cmd in [("jpeg-lossless-sv1", ["dcmcjpeg", "+e1"]), ("rle", ["dcmcrle"])]:
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    for f in sorted(os.listdir(os.path.join(OUT, "native"))):
        subprocess.run(cmd + [os.path.join(OUT, "native", f), os.path.join(OUT, name, f)], check=True)
print("wrote", OUT)
