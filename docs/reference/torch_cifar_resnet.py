"""Reference for time-to-accuracy work (not part of the build or the tests): the CIFAR-10 ResNet v1 recipe of
`train --dataset cifar10 --lr_schedule linear` in PyTorch, to tell whether an accuracy is the recipe's or the Java
trainer's, and to try recipes ~3x faster than DL4J trains them on the same CPU.

Same network (ResNet-6n+2, projection shortcuts only where the shape changes: 272,474 parameters for ResNet-20),
initialization (variance scaling, fan-in; truncated as TensorFlow's, where DL4J's is not), batch norm (decay 0.997, epsilon 1e-5), input (pad 4, random 32x32
crop, flip, per-image standardization), loss (cross-entropy + weight_decay/2 x sum of squared conv/dense weights),
heavy-ball momentum 0.9, and learning rate (linear warm-up over min(2, epochs/10) epochs, linear decay to 0).

Needs PyTorch and numpy (on these machines: python3 -m venv --system-site-packages venv && venv/bin/pip install
--no-deps /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl). Prints one JSON line per epoch; --out
writes them all.
Usage: python3 torch_cifar_resnet.py --epochs 10 [--lr 0.1] [--wd 2e-4] [--warmup E] [--ls 0] [--batch 128]
       python3 torch_cifar_resnet.py --bench_steps 10 [--threads 2] [--batch 128]: the training step alone (forward,
       loss with L2, backward, momentum update) on random data, median ms of K steps after 3 warm-ups, as
       `bin/resnet-spark bench train --dataset cifar10` measures it; prints one JSON line.
"""
import argparse, io, json, math, os, tarfile, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--data', default='../shared/data/cifar10/cifar-10-binary.tar.gz')
p.add_argument('--epochs', type=int, default=10)
p.add_argument('--lr', type=float, default=0.1)
p.add_argument('--wd', type=float, default=2e-4)
p.add_argument('--warmup', type=float, default=-1)
p.add_argument('--ls', type=float, default=0.0)
p.add_argument('--bn_momentum', type=float, default=0.003)
p.add_argument('--init', default='tf')
p.add_argument('--nesterov', action='store_true')
p.add_argument('--zero_gamma', action='store_true')
p.add_argument('--seed', type=int, default=42)
p.add_argument('--size', type=int, default=20)
p.add_argument('--eval_every', type=int, default=2)
p.add_argument('--out', default=None)
p.add_argument('--threads', type=int, default=0)
p.add_argument('--batch', type=int, default=128)
p.add_argument('--bench_steps', type=int, default=0)
a = p.parse_args()
if a.threads: torch.set_num_threads(a.threads)
torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)

def load():
    tr, te = [], None
    with tarfile.open(a.data) as t:
        for m in t.getmembers():
            if m.name.endswith('.bin'):
                d = np.frombuffer(t.extractfile(m).read(), np.uint8).reshape(-1, 3073)
                if 'test_batch' in m.name: te = d
                else: tr.append((m.name, d))
    tr = np.concatenate([d for _, d in sorted(tr)])
    return tr[:, 1:].reshape(-1, 3, 32, 32), tr[:, 0].astype(np.int64), te[:, 1:].reshape(-1, 3, 32, 32), te[:, 0].astype(np.int64)

if not a.bench_steps: xtr, ytr, xte, yte = load()

def standardize(x):
    x = x.astype(np.float32)
    n = x[0].size
    m = x.reshape(len(x), -1).mean(1)
    s = np.maximum(x.reshape(len(x), -1).std(1), 1 / math.sqrt(n))
    return (x - m[:, None, None, None]) / s[:, None, None, None]

def augment(x):
    b = len(x)
    pad = np.zeros((b, 3, 40, 40), np.uint8); pad[:, :, 4:36, 4:36] = x
    oy = rng.integers(0, 9, b); ox = rng.integers(0, 9, b); fl = rng.random(b) < 0.5
    out = np.empty_like(x)
    for i in range(b):
        c = pad[i, :, oy[i]:oy[i] + 32, ox[i]:ox[i] + 32]
        out[i] = c[:, :, ::-1] if fl[i] else c
    return standardize(out)

class Block(nn.Module):
    def __init__(s, cin, cout, stride, project):
        super().__init__()
        s.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.b1 = nn.BatchNorm2d(cout, eps=1e-5, momentum=a.bn_momentum)
        s.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.b2 = nn.BatchNorm2d(cout, eps=1e-5, momentum=a.bn_momentum)
        s.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=a.bn_momentum)) if project else None
        if a.zero_gamma: nn.init.zeros_(s.b2.weight)
    def forward(s, x):
        sc = s.proj(x) if s.proj is not None else x
        y = F.relu(s.b1(s.c1(x)))
        return F.relu(s.b2(s.c2(y)) + sc)

class Net(nn.Module):
    def __init__(s, n):
        super().__init__()
        s.c = nn.Conv2d(3, 16, 3, 1, 1, bias=False); s.b = nn.BatchNorm2d(16, eps=1e-5, momentum=a.bn_momentum)
        layers, cin = [], 16
        for i, cout in enumerate([16, 32, 64]):
            for j in range(n):
                st = (1 if i == 0 else 2) if j == 0 else 1; layers.append(Block(cin, cout, st, st != 1 or cin != cout)); cin = cout
        s.layers = nn.Sequential(*layers); s.fc = nn.Linear(64, 10)
    def forward(s, x):
        x = F.relu(s.b(s.c(x)))
        x = s.layers(x)
        return s.fc(x.mean((2, 3)))

net = Net((a.size - 2) // 6)
for m in net.modules():
    if isinstance(m, nn.Conv2d):
        fan_in = m.weight[0].numel()
        if a.init == 'tf':  # variance_scaling_initializer(): scale 1, fan_in, truncated normal
            nn.init.trunc_normal_(m.weight, 0, math.sqrt(1.0 / fan_in) / .87962566103423978, -2 * math.sqrt(1.0 / fan_in) / .87962566103423978, 2 * math.sqrt(1.0 / fan_in) / .87962566103423978)
        else:
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight); nn.init.zeros_(m.bias)
net = net.to(memory_format=torch.channels_last)
decay = [p_ for n_, p_ in net.named_parameters() if p_.dim() > 1]
print('params', sum(p_.numel() for p_ in net.parameters()))
opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, nesterov=a.nesterov)
B = a.batch

def train_step(x, y):
    out = net(x)
    loss = F.cross_entropy(out, y, label_smoothing=a.ls)
    l2 = sum((w * w).sum() for w in decay) * (a.wd / 2)
    opt.zero_grad(); (loss + l2).backward(); opt.step()
    return loss, l2

if a.bench_steps:
    x = torch.randn(B, 3, 32, 32).contiguous(memory_format=torch.channels_last); y = torch.arange(B) % 10
    times = []
    for i in range(3 + a.bench_steps):
        t = time.perf_counter(); train_step(x, y); times.append(time.perf_counter() - t)
    ms = sorted(times[3:])[len(times[3:]) // 2] * 1000
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'resnet_size': a.size,
                      'batch_size': B, 'ms_per_step': round(ms, 1), 'min_ms': round(min(times[3:]) * 1000, 1),
                      'images_per_sec': round(B / ms * 1000, 1), 'load_avg_1min': os.getloadavg()[0]}))
    raise SystemExit
steps = len(xtr) // B; total = steps * a.epochs
warm = (min(2, a.epochs / 10) if a.warmup < 0 else a.warmup) * steps
def lr_at(g):
    if g < warm: return a.lr * g / warm
    return a.lr * max(0.0, (total - g) / (total - warm))

def evaluate():
    net.eval(); correct = 0
    with torch.no_grad():
        for i in range(0, len(xte), 500):
            x = torch.from_numpy(standardize(xte[i:i + 500])).contiguous(memory_format=torch.channels_last)
            correct += (net(x).argmax(1).numpy() == yte[i:i + 500]).sum()
    net.train(); return correct / len(xte)

log = []; t0 = time.time(); g = 0
for ep in range(1, a.epochs + 1):
    perm = rng.permutation(len(xtr)); tl = 0; te0 = time.time()
    for s_ in range(steps):
        idx = perm[s_ * B:(s_ + 1) * B]
        x = torch.from_numpy(augment(xtr[idx])).contiguous(memory_format=torch.channels_last); y = torch.from_numpy(ytr[idx])
        for gr in opt.param_groups: gr['lr'] = lr_at(g)
        loss, l2 = train_step(x, y); g += 1; tl += loss.item()
    rec = {'epoch': ep, 'train_ce': tl / steps, 'l2': l2.item(), 'img_s': steps * B / (time.time() - te0), 'elapsed': time.time() - t0}
    if ep % a.eval_every == 0 or ep == a.epochs: rec['top1'] = float(evaluate())
    print(json.dumps(rec), flush=True); log.append(rec)
if a.out: json.dump({'args': vars(a), 'epochs': log}, open(a.out, 'w'))
