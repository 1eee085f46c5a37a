"""Which devices train one run, on TensorFlow's own `tf.distribute` (no engine of ours).

    none         one device, exactly the single-device path (no strategy at all)
    mirrored     every local GPU (`tf.distribute.MirroredStrategy`), one replica each
    multiworker  several machines (`MultiWorkerMirroredStrategy`), the cluster from TF_CONFIG
    auto         mirrored when more than one GPU is visible, else none (the default)

The user sets the batch *per replica* (`--batch-size`, the panel's "Batch size"); a step then
takes `batch x replicas` images (the global batch), so one device trains exactly as before and
each added GPU adds a batch. The learning rate is not scaled.

A multi-worker strategy must exist before TensorFlow runs its first operation (it sets up the
collective ops of the runtime), so `resolve` creates it once per process and the command line
calls it before it loads the data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnexplorer.core.errors import ConfigError, TrainingError
from cnnexplorer.core.keras.device import configure

DISTRIBUTIONS = ("auto", "none", "mirrored", "multiworker")
_STRATEGIES: dict[str, "Distribution"] = {}


@dataclass(frozen=True)
class Distribution:
    """The strategy a run trains under, and who takes part."""

    kind: str  # none | mirrored | multiworker (auto resolved)
    strategy: Any  # a tf.distribute.Strategy; None for "none"
    replicas: int  # replicas in sync over all workers
    workers: int
    worker_index: int  # this process's place among the workers (0: the chief)
    device: str  # one replica's device, "CPU" or "GPU"

    @property
    def is_chief(self) -> bool:
        """The worker that writes the run folder (the only one outside multi-worker runs)."""
        return self.worker_index == 0

    def scope(self):
        """Where variables are created: the model, its optimizer, compile."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    def global_batch(self, per_replica: int) -> int:
        return per_replica * self.replicas

    def describe(self) -> str:
        return describe(self.kind, self.device, self.replicas, self.workers)


def describe(kind: str, device: str, replicas: int, workers: int = 1) -> str:
    """"CPU", "2 x GPU, mirrored", "2 workers, 2 x CPU, multi-worker"."""
    if kind == "none":
        return device
    if kind == "mirrored":
        return f"{replicas} x {device}, mirrored"
    return f"{workers} workers, {replicas} x {device}, multi-worker"


#: how long a worker waits for the others to answer (CNNEXPLORER_WORKER_TIMEOUT seconds)
WORKER_TIMEOUT_S = 120.0


def worker_timeout(environ=None) -> float:
    text = (environ if environ is not None else os.environ).get("CNNEXPLORER_WORKER_TIMEOUT")
    if not text:
        return WORKER_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise ConfigError(f"CNNEXPLORER_WORKER_TIMEOUT must be seconds from 0 to 86400; "
                          f"received {text!r}")
    return value


def cluster_addresses(environ=None) -> list[str]:
    """Every task's "host:port" in TF_CONFIG, in worker order (a chief first)."""
    cfg = json.loads((environ if environ is not None else os.environ).get("TF_CONFIG", "{}"))
    cluster = cfg.get("cluster", {})
    return [str(a) for a in list(cluster.get("chief", [])) + list(cluster.get("worker", []))]


def local_cluster(workers: int) -> list[str]:
    """`workers` addresses "localhost:PORT" on this machine, each port free when asked: the
    cluster list of a TF_CONFIG that runs several workers on one machine (how the tests and
    benchmarks/bench_distribute.py try multiworker training without a second machine). A
    port can still be taken between this call and the worker's start; the worker then says
    so (wait_for_workers)."""
    sockets = [socket.socket() for _ in range(workers)]
    try:
        for s in sockets:  # all bound at once, so the ports differ
            s.bind(("localhost", 0))
        return [f"localhost:{s.getsockname()[1]}" for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _host_port(address: str) -> tuple[str, int] | None:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def _answers(address: str, timeout: float) -> bool:
    """A TCP connection to the worker's port opens (its TensorFlow server listens)."""
    target = _host_port(address)
    if target is None:
        return False
    try:
        with socket.create_connection(target, timeout=max(0.05, timeout)):
            return True
    except OSError:  # refused, unreachable, timed out, unknown host
        return False


def wait_for_workers(index: int, on_wait=None, environ=None) -> None:
    """Return once every other worker in TF_CONFIG answers on its port; before TensorFlow's
    cluster set-up, which waits for all of them inside C++, for ever and deaf to Ctrl-C and
    SIGTERM (it holds the interpreter), when one cannot be reached (issue 19).

    While it waits, this worker listens on its own port, so that the others, waiting the
    same way, see it; the socket closes before TensorFlow's server takes the port. Ctrl-C
    ends the wait (KeyboardInterrupt).

    Raises:
        TrainingError: a worker did not answer within `worker_timeout()` (named), or this
            worker's own port is taken.
    """
    timeout = worker_timeout(environ)
    addresses = cluster_addresses(environ)
    waiting = [(i, a) for i, a in enumerate(addresses) if i != index]
    listener = _listen(addresses[index]) if index < len(addresses) else None
    start, told = time.monotonic(), False
    try:
        while waiting:
            waiting = [(i, a) for i, a in waiting if not _answers(a, min(1.0, timeout))]
            elapsed = time.monotonic() - start
            if waiting and elapsed > timeout:
                raise TrainingError(
                    f"multi-worker training: {_named(waiting)} in TF_CONFIG did not answer in "
                    f"{timeout:g} s; start the same command there (with its own task index), "
                    f"check the address and that the port is open, or raise "
                    f"CNNEXPLORER_WORKER_TIMEOUT")
            if waiting and on_wait is not None and not told and elapsed > 2:
                told = True
                on_wait(f"waiting for {_named(waiting)} to answer (up to {timeout:g} s; "
                        f"Ctrl-C stops)")
            if waiting:
                time.sleep(0.25)
    finally:
        if listener is not None:
            listener.close()


def _listen(address: str):
    """A listening socket on this worker's port (all interfaces, as TensorFlow's server)."""
    target = _host_port(address)
    if target is None:
        raise ConfigError(f"TF_CONFIG: this worker's address must be host:port; received "
                          f"{address!r}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("", target[1]))
        sock.listen(16)
    except OSError as exc:
        sock.close()
        raise TrainingError(f"multi-worker training: this worker's port {target[1]} "
                            f"({address}) cannot be opened ({exc.strerror or exc}); is "
                            f"another worker or program using it?") from None
    return sock


def _named(waiting) -> str:
    return ", ".join(f"worker {i} ({a})" for i, a in waiting)


def cluster_from_env(environ=None) -> tuple[int, int]:
    """(workers, this worker's index) from TF_CONFIG; a chief task counts as worker 0.

    Raises:
        ConfigError: TF_CONFIG missing or not the JSON TensorFlow expects.
    """
    text = (environ if environ is not None else os.environ).get("TF_CONFIG", "")
    if not text.strip():
        raise ConfigError("multi-worker training needs the TF_CONFIG variable (the cluster's "
                          "workers and this worker's index); see docs/distributed.md")
    try:
        cfg = json.loads(text)
        cluster, task = cfg["cluster"], cfg["task"]
        chiefs, workers = list(cluster.get("chief", [])), list(cluster.get("worker", []))
        kind, index = task["type"], int(task["index"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"TF_CONFIG is not valid ({type(exc).__name__}: {exc}); expected "
                          f'{{"cluster": {{"worker": ["host:port", ...]}}, "task": '
                          f'{{"type": "worker", "index": 0}}}}; received {text!r}') from None
    if kind not in ("chief", "worker"):
        raise ConfigError(f"TF_CONFIG task type must be 'chief' or 'worker'; received {kind!r}")
    count = len(chiefs) if kind == "chief" else len(workers)
    if not 0 <= index < count:
        raise ConfigError(f"TF_CONFIG task index must be from 0 to {count - 1} (the cluster "
                          f"lists {count} {kind}{'s' if count != 1 else ''}); received "
                          f"{index}")
    position = index if kind == "chief" else len(chiefs) + index
    return len(chiefs) + len(workers), position


def plan(choice: str, gpus: int, per_replica_batch: int, environ=None) -> str:
    """What a run with this choice will use, for the Training panel (no TensorFlow here):
    "2 x GPU, mirrored: batch 32 per replica, 64 per step"."""
    check_choice(choice)
    kind = _resolve_kind(choice, gpus)
    device = "GPU" if gpus else "CPU"
    replicas, workers = (max(1, gpus) if kind == "mirrored" else 1), 1
    if kind == "multiworker":
        try:
            workers, _ = cluster_from_env(environ)
        except ConfigError:
            return "multi-worker: needs TF_CONFIG (see docs/distributed.md)"
        replicas = workers * max(1, gpus)
    text = describe(kind, device, replicas, workers)
    return (f"{text}: batch {per_replica_batch} per replica, "
            f"{per_replica_batch * replicas} per step")


def check_choice(choice: str) -> str:
    if choice not in DISTRIBUTIONS:
        raise ConfigError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}; "
                          f"received {choice!r}")
    return choice


def _resolve_kind(choice: str, gpus: int) -> str:
    if choice == "auto":
        return "mirrored" if gpus > 1 else "none"
    return choice


def local_gpus() -> int:
    """GPUs TensorFlow sees here (after `device.configure`, which turns on memory growth)."""
    return configure().gpus


def resolve(choice: str = "auto", on_wait=None) -> Distribution:
    """The Distribution for a choice, created once per process (strategies hold devices and,
    for multi-worker, a server listening on this worker's port). `on_wait(text)` hears once
    when a multi-worker set-up waits for other workers."""
    check_choice(choice)

    info = configure()  # memory growth and threads before the runtime starts
    kind = _resolve_kind(choice, info.gpus)
    if kind in _STRATEGIES:
        return _STRATEGIES[kind]
    device = "GPU" if info.gpus else "CPU"
    if kind == "none":
        dist = Distribution("none", None, 1, 1, 0, info.describe())
    else:
        import tensorflow as tf

        if kind == "mirrored":
            strategy = tf.distribute.MirroredStrategy()
            workers, index = 1, 0
        else:
            workers, index = cluster_from_env()
            # RING all-reduce works on CPUs and GPUs alike (NCCL is GPU-only)
            options = tf.distribute.experimental.CommunicationOptions(
                implementation=tf.distribute.experimental.CommunicationImplementation.RING)
            wait_for_workers(index, on_wait)
            strategy = tf.distribute.MultiWorkerMirroredStrategy(
                communication_options=options)
        dist = Distribution(kind, strategy, int(strategy.num_replicas_in_sync), workers,
                            index, device)
    _STRATEGIES[kind] = dist
    return dist


def distribute_pipeline(ds):
    """Shard a tf.data pipeline by data: every worker reads the same (seeded) sequence and
    keeps its share of each global batch; the default policy looks for files and warns."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options)


def fit_multi_worker(model) -> None:
    """Let Keras 3's `fit` and `evaluate` run under MultiWorkerMirroredStrategy.

    Keras 3.15 cannot (keras-team/keras#20585, open): its `_maybe_symbolic_build` reduces
    the whole (images, labels) batch with `strategy.reduce`, which the multi-worker strategy
    does not support for a structure, and `reduce_per_replica` reduces every scalar metric
    with `axis=0`, which fails on a scalar. Two narrow changes avoid both, TensorFlow still
    doing all the distributing: the model forgets the strategy it was built in (`fit` and
    `evaluate` then run inside `strategy.scope()`, where Keras takes it from the scope and
    builds its metrics while tracing), and each step returns its metrics as 1-element
    vectors, which reduce to the mean over the replicas. The epoch's logs come from the
    metric variables, which are summed over every worker, so all workers see the same
    figures (and make the same early-stopping decisions).
    """
    import types

    import tensorflow as tf

    def as_vectors(step):
        def wrapped(self, data):
            return {k: tf.reshape(v, (1,)) for k, v in step(data).items()}
        return wrapped

    model._distribute_strategy = None
    model.train_step = types.MethodType(as_vectors(model.train_step), model)
    model.test_step = types.MethodType(as_vectors(model.test_step), model)


def worker_scratch(out, worker_index: int) -> Path:
    """Where a worker other than the chief keeps its copy of the run (history, models, its
    backup): the system's temporary folder, named after the run folder and the worker, so a
    restarted worker finds its backup again. Removed when training ends."""
    key = hashlib.sha256(str(Path(out).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"cnnexplorer-worker{worker_index}-{key}"


def weights_digest(model) -> str:
    """A short hash of a model's trainable weights, which synchronous workers share (the
    gradients are summed over all of them). BatchNormalization's moving averages are not
    in it: Keras 3 keeps them per worker, each from its own share of the batches."""
    import numpy as np

    h = hashlib.sha256()
    for w in model.trainable_weights:
        h.update(np.asarray(w.numpy()).tobytes())
    return h.hexdigest()[:16]
