"""The architecture zoo: every network of the course as a configurable spec.

Importing this package registers the families in the order the course meets them: the
classic networks (LeNet-5, AlexNet, VGG-16), ResNets, 1x1 convolutions, Inception, then the
notebooks' Happy House models and the plain-vs-residual pair.
"""

# The import order is the order of `entries()` (registration on import); the modules are
# imported for that side effect only, hence F401 (imported but unused) on each.
from cnnexplorer.core.arch.zoo import (  # noqa: I001 - registration order, not alphabetical
    lenet,  # noqa: F401
    alexnet,  # noqa: F401
    vgg,  # noqa: F401
    resnet,  # noqa: F401
    nin,  # noqa: F401
    inception,  # noqa: F401
    happy,  # noqa: F401
    plain_residual,  # noqa: F401
)
from cnnexplorer.core.arch.zoo import applications  # noqa: F401,I001 - keras.applications, listed last
from cnnexplorer.core.arch.zoo.registry import (
    ArchConfig,
    ZooEntry,
    build,
    entries,
    get,
    register,
)

__all__ = ["ArchConfig", "ZooEntry", "build", "entries", "get", "register"]
