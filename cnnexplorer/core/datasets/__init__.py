"""Dataset model, loaders, generated sets and augmentation (no Qt)."""
