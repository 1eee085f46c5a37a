"""The course's words for blocks and layers, read from a network's structure.

The course calls a residual block whose shortcut is the unchanged input an *identity block*,
and one with a 1x1 CONV (+ BN) on the shortcut a *convolutional block*; an Inception module's
four paths are the 1x1, "3x3 reduce" -> 3x3, "5x5 reduce" -> 5x5 and pool -> "pool proj"
branches (GoogLeNet's Table 1). These words are derived from the graph, not from layer names,
so the zoo's networks, a saved spec and an imported Keras model get the same words.

    words = course_words(network)
    words.block_kind("stage2/res2a")      # "convolutional block"
    words.role("res2a_branch1")           # "shortcut"
    words.role("inception_3a_3x3_reduce") # "3x3 reduce"
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnnexplorer.core.arch.graph import Network, Node
from cnnexplorer.core.formatting import shape_text

IDENTITY_BLOCK = "identity block"
CONVOLUTIONAL_BLOCK = "convolutional block"
INCEPTION_MODULE = "Inception module"
PLAIN_BLOCK = "block"
SHORTCUT = "shortcut"

_CONV_KINDS = {"Conv2D", "SeparableConv2D", "DepthwiseConv2D"}
_POOL_KINDS = {"MaxPooling2D", "AveragePooling2D"}


@dataclass(frozen=True)
class CourseWords:
    """Block path -> the course's name for that block; layer name -> its role in the block."""

    kinds: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)

    def block_kind(self, path: str) -> str:
        return self.kinds.get(path, PLAIN_BLOCK)

    def role(self, layer: str) -> str:
        return self.roles.get(layer, "")


def _members(network: Network, path: str) -> set[str]:
    return {n.name for n in network.nodes if n.block == path or n.block.startswith(path + "/")}


def _consumers(network: Network) -> dict[str, int]:
    count: dict[str, int] = {}
    for n in network.nodes:
        for i in n.inputs:
            count[i] = count.get(i, 0) + 1
    return count


def _chain(network: Network, start: str, members: set[str],
           consumers: dict[str, int]) -> list[Node]:
    """The nodes of one path from `start` back to where it leaves the block or forks (the
    fork itself, e.g. ResNet v2's shared pre-activation, belongs to both paths, not this one)."""
    chain: list[Node] = []
    name = start
    while name in members and (not chain or consumers.get(name, 0) == 1):
        node = network.node(name)
        chain.append(node)
        if len(node.inputs) != 1:
            break
        name = node.inputs[0]
    return chain


def _branch_roles(branch: list[Node]) -> dict[str, str]:
    """Roles of the conv and pool layers on one Inception path, input side first."""
    roles: dict[str, str] = {}
    branch = list(reversed(branch))
    convs = [n for n in branch if n.kind in _CONV_KINDS]
    pools = [n for n in branch if n.kind in _POOL_KINDS]
    if pools:
        roles[pools[0].name] = "pool"
        for conv in convs:
            roles[conv.name] = "pool proj"
        return roles
    sizes = [shape_text(n.layer.kernel_size) for n in convs]  # type: ignore[attr-defined]  # conv kinds only
    for i, (conv, size) in enumerate(zip(convs, sizes)):
        later = [s for s in sizes[i + 1:] if s != "1x1"]
        roles[conv.name] = f"{later[0]} reduce" if size == "1x1" and later else size
    return roles


def _residual(network: Network, add: Node, members: set[str],
              consumers: dict[str, int]) -> tuple[str, dict[str, str]]:
    chains = sorted((_chain(network, i, members, consumers) for i in add.inputs), key=len)
    shortcut = chains[0]
    roles = {n.name: SHORTCUT for n in shortcut}
    # A strided pool on the shortcut (ResNet v2) resizes without a conv: still an identity.
    if any(n.kind in _CONV_KINDS for n in shortcut):
        return CONVOLUTIONAL_BLOCK, roles
    return IDENTITY_BLOCK, roles


def _inception(network: Network, concat: Node, members: set[str],
               consumers: dict[str, int]) -> dict[str, str] | None:
    """Roles if `concat` joins three or more paths that fork from one tensor, else None."""
    if len(concat.inputs) < 3:
        return None
    branches = [_chain(network, i, members, consumers) for i in concat.inputs]
    if any(not b for b in branches):
        return None
    sources = {b[-1].inputs[0] if len(b[-1].inputs) == 1 else None for b in branches}
    if len(sources) != 1 or None in sources:
        return None
    roles: dict[str, str] = {}
    for branch in branches:
        roles.update(_branch_roles(branch))
    return roles


def course_words(network: Network) -> CourseWords:
    """Name every block whose own layers (not its sub-blocks') form a residual or Inception
    unit, and the roles of their layers; other blocks stay "block"."""
    kinds: dict[str, str] = {}
    roles: dict[str, str] = {}
    consumers = _consumers(network)
    for node in network.nodes:
        if not node.block or node.block in kinds:
            continue
        if node.kind == "Add" and len(node.inputs) == 2:
            kinds[node.block], found = _residual(network, node, _members(network, node.block),
                                                 consumers)
            roles.update(found)
        elif node.kind == "Concatenate":
            inception = _inception(network, node, _members(network, node.block), consumers)
            if inception is not None:
                kinds[node.block] = INCEPTION_MODULE
                roles.update(inception)
    return CourseWords(kinds, roles)
