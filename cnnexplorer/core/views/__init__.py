"""Text and picture views of a network: the inspect table, the diagram layout and its SVG."""
