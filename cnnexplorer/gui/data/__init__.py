"""The Data panel: dataset picker, samples, augmentation preview, its loader worker."""
