"""Which device trains: GPU detection with memory growth, CPU threads, mixed precision offer.

`configure()` must run before TensorFlow creates its runtime (the first op or model): memory
growth and thread counts cannot change afterwards. It is idempotent and never raises; when it
is too late, it says so in `DeviceInfo.notes` instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from cnnexplorer.core.keras.build import IMPORT_LOCK, import_keras

_INFO = None


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "GPU" or "CPU"
    name: str  # what the user sees, e.g. "NVIDIA H100 80GB HBM3" or "CPU (2 threads)"
    gpus: int
    threads: int  # intra-op threads on CPU (0: TensorFlow's default)
    mixed_precision_recommended: bool  # a GPU with tensor cores (compute capability >= 7.0)
    notes: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        extra = "; mixed precision available" if self.mixed_precision_recommended else ""
        return f"{self.name}{extra}"


def _cpu_threads() -> int:
    """Cores this process may use (affinity and cgroup-limited machines report fewer)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def configure(threads: int | None = None) -> DeviceInfo:
    """Set up TensorFlow once: memory growth on every GPU, CPU threads, and report the device.

    Args:
        threads: intra-op threads on CPU; None uses the cores this process may run on
            (TensorFlow would otherwise size its pools by the host's cores, too many in a
            container limited to a few).
    """
    with IMPORT_LOCK:  # one thread sets TensorFlow up; another waits and reads the result
        if _INFO is None:
            import_keras()
            _configure(threads)
    assert _INFO is not None  # _configure sets it or raises
    return _INFO


def _configure(threads: int | None) -> None:
    global _INFO
    import tensorflow as tf

    notes = []
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            notes.append("GPU already initialised: memory growth could not be turned on")
    n_threads = 0
    if not gpus:
        n_threads = threads or _cpu_threads()
        try:
            tf.config.threading.set_intra_op_parallelism_threads(n_threads)
            tf.config.threading.set_inter_op_parallelism_threads(min(2, n_threads))
        except RuntimeError:
            notes.append("TensorFlow already running: thread counts left as they were")
            # 0 means TensorFlow sized its own pool: by the cores it may use
            n_threads = tf.config.threading.get_intra_op_parallelism_threads() or _cpu_threads()
    if gpus:
        name, mixed = _gpu_name_and_capability(tf, gpus[0])
        if len(gpus) > 1:
            name = f"{name} (x{len(gpus)}, training uses the first)"
        info = DeviceInfo("GPU", name, len(gpus), 0, mixed, tuple(notes))
    else:
        info = DeviceInfo("CPU", f"CPU ({n_threads} threads)", 0, n_threads, False,
                          tuple(notes))
    _INFO = info


def _gpu_name_and_capability(tf, gpu) -> tuple[str, bool]:
    try:
        details = tf.config.experimental.get_device_details(gpu)
    except Exception:  # noqa: BLE001 - some builds lack details; the device name still shows
        details = {}
    name = details.get("device_name") or gpu.name
    cc = details.get("compute_capability") or (0, 0)
    return f"GPU: {name}", tuple(cc) >= (7, 0)


def set_mixed_precision(enabled: bool) -> str:
    """Switch Keras' global dtype policy; returns the policy now in force.

    Only `mixed_float16` on a GPU that benefits; on CPU mixed bfloat16 measured slower than
    float32 (REFERENCE.md), so the request is ignored there.
    """
    keras = import_keras()
    info = configure()
    policy = "mixed_float16" if enabled and info.kind == "GPU" else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return policy
