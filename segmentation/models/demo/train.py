#!/usr/bin/python3
"""Trains Hounsfield's demonstration segmentation model and exports it to ONNX.

A compact 3D U-Net (about 89 k weights) learns the liver and the lesion of the CT-like phantom of
`hounsfield phantom --size medium --random-anatomy` (128x128x50 voxels of 2.8x2.8x4 mm; liver and
lesion moved and scaled by the seed). CPU only, fixed seeds; Debian's python3-torch 1.13 and
python3-nibabel. Run from the repository root:

    /usr/bin/python3 segmentation/models/demo/train.py

It writes segmentation/src/main/resources/io/hounsfield/segmentation/demo/demo-ct.onnx (its descriptor
demo-ct.yaml is written by hand beside it). Training phantoms use seeds 1000-1023; tests use others.
A demonstration model: it has only ever seen phantoms. Not for clinical use.
"""
import os
import subprocess
import sys
import time

import nibabel as nib
import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WORK = os.path.join(ROOT, "segmentation", "target", "demo-training")
OUT = os.path.join(ROOT, "segmentation", "src", "main", "resources", "io", "hounsfield", "segmentation", "demo", "demo-ct.onnx")
SEEDS = range(1000, 1024)
PATCH = (32, 64, 64)  # z, y, x
STEPS, BATCH = 700, 2

torch.manual_seed(20261129)
np.random.seed(20261129)
torch.set_num_threads(os.cpu_count())


def phantoms():
    data = []
    for s in SEEDS:
        d = os.path.join(WORK, str(s))
        if not os.path.exists(os.path.join(d, "mask.nii.gz")):
            subprocess.run([os.path.join(ROOT, "hounsfield"), "phantom", "--size", "medium", "--seed", str(s), "--random-anatomy",
                            "--out", d], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        img = np.asarray(nib.load(os.path.join(d, "image.nii.gz")).dataobj, dtype=np.float32)
        msk = np.asarray(nib.load(os.path.join(d, "mask.nii.gz")).dataobj, dtype=np.int64)
        # [x, y, z] -> [z, y, x]; the descriptor's CT preprocessing: clip to [-200, 300], then (x - 50) / 100
        img = (np.clip(img, -200, 300) - 50) / 100
        data.append((img.transpose(2, 1, 0).copy(), msk.transpose(2, 1, 0).copy()))
    return data


def block(cin, cout):
    return torch.nn.Sequential(torch.nn.Conv3d(cin, cout, 3, padding=1), torch.nn.ReLU(inplace=True),
                               torch.nn.Conv3d(cout, cout, 3, padding=1), torch.nn.ReLU(inplace=True))


class UNet(torch.nn.Module):
    def __init__(self, c=8, classes=3):
        super().__init__()
        self.e1, self.e2, self.b = block(1, c), block(c, 2 * c), block(2 * c, 4 * c)
        self.d2, self.d1 = block(6 * c, 2 * c), block(3 * c, c)
        self.pool = torch.nn.MaxPool3d(2)
        self.up = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.head = torch.nn.Conv3d(c, classes, 1)

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(self.pool(e1))
        b = self.b(self.pool(e2))
        d2 = self.d2(torch.cat([self.up(b), e2], 1))
        d1 = self.d1(torch.cat([self.up(d2), e1], 1))
        return self.head(d1)  # logits; Hounsfield applies the softmax


def crop(img, msk):
    z, y, x = (np.random.randint(0, s - p + 1) for s, p in zip(img.shape, PATCH))
    if np.random.rand() < 0.5:  # half the crops hold the lesion
        lz, ly, lx = np.argwhere(msk == 1)[np.random.randint((msk == 1).sum())]
        z = int(np.clip(lz - PATCH[0] // 2, 0, img.shape[0] - PATCH[0]))
        y = int(np.clip(ly - PATCH[1] // 2, 0, img.shape[1] - PATCH[1]))
        x = int(np.clip(lx - PATCH[2] // 2, 0, img.shape[2] - PATCH[2]))
    sl = (slice(z, z + PATCH[0]), slice(y, y + PATCH[1]), slice(x, x + PATCH[2]))
    return img[sl], msk[sl]


def main():
    data = phantoms()
    net = UNet()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    ce = torch.nn.CrossEntropyLoss(weight=torch.tensor([0.3, 2.0, 1.0]))
    t0 = time.time()
    for step in range(STEPS):
        batch = [crop(*data[np.random.randint(len(data))]) for _ in range(BATCH)]
        x = torch.from_numpy(np.stack([b[0] for b in batch]))[:, None]
        y = torch.from_numpy(np.stack([b[1] for b in batch]))
        logits = net(x)
        prob = torch.softmax(logits, 1)
        onehot = torch.nn.functional.one_hot(y, 3).permute(0, 4, 1, 2, 3).float()
        inter = (prob * onehot).sum((0, 2, 3, 4))[1:]
        dice = (2 * inter + 1) / (prob.sum((0, 2, 3, 4))[1:] + onehot.sum((0, 2, 3, 4))[1:] + 1)
        loss = ce(logits, y) + (1 - dice).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == STEPS - 1:
            print(f"step {step}: loss {loss.item():.4f}, soft Dice lesion {dice[0].item():.3f} liver {dice[1].item():.3f}, "
                  f"{time.time() - t0:.0f} s", flush=True)
    net.eval()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    torch.onnx.export(net, torch.zeros(1, 1, *PATCH), OUT, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}}, opset_version=13)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes), {sum(p.numel() for p in net.parameters())} weights")


if __name__ == "__main__":
    sys.exit(main())
