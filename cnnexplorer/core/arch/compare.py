"""The notes' 1x1-bottleneck comparison: a naive 5x5 conv against 1x1-then-5x5, costed.

The course example: a 28x28x192 volume through a 5x5 'same' conv to 32 channels costs
5*5*192 * 28*28*32 = 120,422,400 multiplications; shrinking it first to 16 channels with a
1x1 conv costs 2,408,448 + 10,035,200 = 12,443,648, about a tenth. Both sides are the zoo's
`inception_5x5` entry (option `bottleneck` off / on) costed by `cost_report`, so the numbers
are the ones the layer table and `cnnexplorer inspect inception_5x5` show.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import CostReport, cost_report

ENTRY = "inception_5x5"


@dataclass(frozen=True)
class BottleneckComparison:
    input_shape: tuple[int, int, int]
    out_channels: int
    bottleneck_width: int
    naive: CostReport
    reduced: CostReport

    @property
    def mac_ratio(self) -> float:
        """How many times more MACs the naive conv costs (> 1 when the bottleneck helps)."""
        return self.naive.totals.macs / self.reduced.totals.macs

    @property
    def param_ratio(self) -> float:
        return self.naive.totals.params / self.reduced.totals.params


def bottleneck_comparison(input_shape=(28, 28, 192), out_channels: int = 32,
                          bottleneck_width: int = 16) -> BottleneckComparison:
    """Cost both sides of the notes' example for any input and widths.

    Raises:
        ConfigError: a size the zoo entry rejects, with the option and value named.
    """
    entry = zoo.get(ENTRY)
    shape = tuple(input_shape)
    options = {"bottleneck_width": bottleneck_width, "out_channels": out_channels}
    naive = cost_report(entry.network(shape, None, {**options, "bottleneck": False}))
    reduced = cost_report(entry.network(shape, None, {**options, "bottleneck": True}))
    return BottleneckComparison(shape, out_channels, bottleneck_width, naive, reduced)
