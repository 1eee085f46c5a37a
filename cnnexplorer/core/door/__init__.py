"""The Happy door: fast single-frame inference, what the model looked at (Grad-CAM, feature maps), captures."""
