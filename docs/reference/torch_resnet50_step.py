"""ImageNet ResNet-50 v1.5 training step in PyTorch (torchvision's resnet50 layout: stride on the 3x3 convolution,
projection shortcuts where the shape changes; 25,557,032 parameters), for a same-machine ratio against
`bin/resnet-spark bench train --resnet_size 50 --batch_size 32` (not part of the build or the tests).

Step = forward + cross-entropy + backward + SGD momentum update, channels_last, random data at 224x224, 1000
classes; median ms of K steps after W warm-ups. Prints one JSON line.
Needs PyTorch (defines the network itself: torchvision's wheel must match the torch build exactly). Usage: python3 torch_resnet50_step.py [--batch 32] [--steps 5] [--warmup 2]
"""
import argparse, json, os, time
import torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--batch', type=int, default=32)
p.add_argument('--steps', type=int, default=5)
p.add_argument('--warmup', type=int, default=2)
p.add_argument('--threads', type=int, default=0)
a = p.parse_args()
if a.threads: torch.set_num_threads(a.threads)
torch.manual_seed(1)

def conv_bn(cin, cout, k, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout))

class Bottleneck(nn.Module):
    def __init__(s, cin, width, stride):
        super().__init__()
        cout = 4 * width
        s.a = conv_bn(cin, width, 1, 1); s.b = conv_bn(width, width, 3, stride); s.c = conv_bn(width, cout, 1, 1)
        s.proj = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else None
    def forward(s, x):
        y = s.c(F.relu(s.b(F.relu(s.a(x)))))
        return F.relu(y + (s.proj(x) if s.proj is not None else x))

def resnet50():
    layers, cin = [conv_bn(3, 64, 7, 2), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
    for i, (width, blocks) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)]):
        for j in range(blocks):
            layers.append(Bottleneck(cin, width, 2 if j == 0 and i > 0 else 1)); cin = 4 * width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 1000))

net = resnet50().to(memory_format=torch.channels_last)
assert sum(q.numel() for q in net.parameters()) == 25557032
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
x = torch.randn(a.batch, 3, 224, 224).contiguous(memory_format=torch.channels_last)
y = torch.arange(a.batch) % 1000
times = []
for i in range(a.warmup + a.steps):
    t = time.perf_counter()
    loss = F.cross_entropy(net(x), y)
    opt.zero_grad(); loss.backward(); opt.step()
    times.append(time.perf_counter() - t)
timed = sorted(times[a.warmup:])
ms = timed[len(timed) // 2] * 1000
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'model': 'resnet50 (v1.5)',
                  'batch_size': a.batch, 'ms_per_step': round(ms, 1), 'min_ms': round(timed[0] * 1000, 1),
                  'images_per_sec': round(a.batch / ms * 1000, 2), 'load_avg_1min': os.getloadavg()[0]}))
