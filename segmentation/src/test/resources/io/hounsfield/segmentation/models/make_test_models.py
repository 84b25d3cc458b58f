#!/usr/bin/python3
"""Writes the tiny ONNX models the segmentation tests use (Debian's python3-torch 1.13, CPU; run with
/usr/bin/python3 from this folder). Their weights are fixed, so the tests can compute what they must output.

pointwise.onnx  Conv3d(1 -> 3, kernel 1): logits (0, x - 1, 1 - x) per voxel; free batch and spatial sizes.
conv-fixed.onnx Conv3d(1 -> 2, kernel 3, zero padding 1), seeded weights; input fixed at [1, 1, 8, 12, 16].
"""
import torch


class Pointwise(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv3d(1, 3, 1)
        with torch.no_grad():
            self.c.weight.copy_(torch.tensor([0.0, 1.0, -1.0]).reshape(3, 1, 1, 1, 1))
            self.c.bias.copy_(torch.tensor([0.0, -1.0, 1.0]))

    def forward(self, x):
        return self.c(x)


class ConvFixed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(20261129)
        self.c = torch.nn.Conv3d(1, 2, 3, padding=1)

    def forward(self, x):
        return self.c(x)


def export(model, shape, name, dynamic):
    x = torch.zeros(*shape)
    axes = {"image": {0: "n", 2: "z", 3: "y", 4: "x"}, "logits": {0: "n", 2: "z", 3: "y", 4: "x"}} if dynamic else None
    torch.onnx.export(model.eval(), x, name, input_names=["image"], output_names=["logits"], dynamic_axes=axes, opset_version=13)


export(Pointwise(), (1, 1, 8, 12, 16), "pointwise.onnx", True)
export(ConvFixed(), (1, 1, 8, 12, 16), "conv-fixed.onnx", False)
print("wrote pointwise.onnx, conv-fixed.onnx")
