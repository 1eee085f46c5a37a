"""The Architecture panel: zoo picker, layer table, totals, cost charts, diagram, 1x1 bottleneck."""
