"""The Happy door panel: door view, frame sources, inference worker, look inside, teach the door."""
